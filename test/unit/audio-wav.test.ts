// WAV reader/writer: int16 and float32, any rate and channel count, extensible format, odd chunks.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readWav, toMono, writeWav } from '../../src/audio/wav';

const sine = (n: number, f: number, rate: number, a = 0.5) => Float32Array.from({ length: n }, (_, i) => a * Math.sin((2 * Math.PI * f * i) / rate));

test('int16 mono round trip within one quantization step', () => {
  const x = sine(1000, 440, 16000);
  const w = readWav(writeWav(x, 16000, 'int16'));
  assert.equal(w.sampleRate, 16000);
  assert.equal(w.format, 'int16');
  assert.equal(w.channels.length, 1);
  assert.equal(w.channels[0].length, 1000);
  for (let i = 0; i < x.length; i++) assert.ok(Math.abs(w.channels[0][i] - x[i]) <= 1 / 32768);
});

test('float32 stereo round trip is exact; toMono averages', () => {
  const l = sine(500, 300, 44100);
  const r = sine(500, 700, 44100, 0.25);
  const w = readWav(writeWav([l, r], 44100, 'float32'));
  assert.equal(w.format, 'float32');
  assert.deepEqual(w.channels[0], l);
  assert.deepEqual(w.channels[1], r);
  const m = toMono(w);
  assert.ok(Math.abs(m[100] - (l[100] + r[100]) / 2) < 1e-7);
});

test('int16 clips out-of-range samples', () => {
  const w = readWav(writeWav(Float32Array.from([2, -2, 0]), 8000));
  assert.deepEqual(Array.from(w.channels[0]), [32767 / 32768, -1, 0]);
});

test('zero-length data chunk gives zero samples', () => {
  const w = readWav(writeWav(new Float32Array(0), 16000));
  assert.equal(w.channels[0].length, 0);
});

test('rejects non-WAV and unsupported encodings', () => {
  assert.throws(() => readWav(Buffer.from('hello world, not a wav')), /RIFF/);
  const bad = writeWav(new Float32Array(4), 16000);
  bad.writeUInt16LE(34, 34); // claim 34 bits
  assert.throws(() => readWav(bad), /unsupported/);
});

test('reads what ffmpeg writes (LIST chunk, WAVE_FORMAT_EXTENSIBLE for 3 channels, float)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wav-'));
  try {
    const f1 = path.join(dir, 'a.wav');
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=1000:sample_rate=22050:duration=0.5',
      '-ac',
      '3',
      '-c:a',
      'pcm_f32le',
      f1,
    ]);
    const w = readWav(fs.readFileSync(f1));
    assert.equal(w.sampleRate, 22050);
    assert.equal(w.channels.length, 3);
    assert.equal(w.format, 'float32');
    assert.equal(w.channels[0].length, 11025);
    const f2 = path.join(dir, 'b.wav');
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=1000:sample_rate=8000:duration=0.25',
      '-metadata',
      'title=x',
      '-c:a',
      'pcm_s16le',
      f2,
    ]);
    const w2 = readWav(fs.readFileSync(f2));
    assert.equal(w2.channels[0].length, 2000);
    assert.equal(w2.format, 'int16');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
