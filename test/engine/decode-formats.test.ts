// Every input format decodes to the same 16 kHz mono signal: jfk.wav re-encoded with ffmpeg at various
// rates and channel counts (wav int16/float32, flac, mp3, m4a, ogg/opus, webm, mkv, mp4 with video) must
// last 11.000 s ± 20 ms and cross-correlate with the reference (normalized peak ≥ 0.9, lag ≤ 30 ms).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { decodeAudio } from '../../src/audio/decode';
import { readWav, toMono } from '../../src/audio/wav';
import { ffmpeg, JFK, tmpDir } from './helpers';

const dir = tmpDir('formats');
const reference = toMono(readWav(fs.readFileSync(JFK)));
const REF_SECONDS = reference.length / 16000;

/** [file name, ffmpeg output options]. */
const VARIANTS: [string, string[]][] = [
  ['int16-44k-stereo.wav', ['-ar', '44100', '-ac', '2', '-c:a', 'pcm_s16le']],
  ['float32-8k-mono.wav', ['-ar', '8000', '-ac', '1', '-c:a', 'pcm_f32le']],
  ['flac-48k-stereo.flac', ['-ar', '48000', '-ac', '2', '-c:a', 'flac']],
  ['mp3-22k-mono.mp3', ['-ar', '22050', '-ac', '1', '-c:a', 'libmp3lame', '-b:a', '64k']],
  ['aac-44k-stereo.m4a', ['-ar', '44100', '-ac', '2', '-c:a', 'aac', '-b:a', '96k']],
  ['opus-48k-stereo.ogg', ['-ar', '48000', '-ac', '2', '-c:a', 'libopus', '-b:a', '48k']],
  ['opus-24k-mono.webm', ['-ar', '24000', '-ac', '1', '-c:a', 'libopus', '-b:a', '32k']],
  ['vorbis-32k-stereo.mkv', ['-ar', '32000', '-ac', '2', '-c:a', 'libvorbis', '-q:a', '4']],
];

/** Normalized cross-correlation peak between a and b over lags in [-maxLag, maxLag] samples. */
function xcorr(a: Float32Array, b: Float32Array, maxLag: number): { peak: number; lag: number } {
  const n = Math.min(a.length, b.length) - 2 * maxLag;
  let best = { peak: -Infinity, lag: 0 };
  for (let lag = -maxLag; lag <= maxLag; lag += 1) {
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let i = maxLag; i < maxLag + n; i += 2) {
      const x = a[i];
      const y = b[i + lag];
      ab += x * y;
      aa += x * x;
      bb += y * y;
    }
    const r = ab / Math.sqrt(aa * bb);
    if (r > best.peak) best = { peak: r, lag };
  }
  return best;
}

test('the reference itself decodes unchanged', async () => {
  const d = await decodeAudio(JFK);
  assert.equal(d.samples.length, reference.length);
  assert.ok(Math.abs(d.samples[5000] - reference[5000]) < 1e-4);
});

for (const [name, opts] of VARIANTS) {
  test(`${name}: same duration ±20 ms, correlates with the reference`, async () => {
    const file = path.join(dir, name);
    ffmpeg('-i', JFK, ...opts, file);
    const percents: number[] = [];
    const d = await decodeAudio(file, { onProgress: (p) => percents.push(p) });
    assert.ok(Math.abs(d.duration - REF_SECONDS) <= 0.02, `${name}: ${d.duration.toFixed(4)} s vs ${REF_SECONDS} s`);
    const { peak, lag } = xcorr(reference, d.samples, 480);
    assert.ok(peak >= 0.9, `${name}: correlation ${peak.toFixed(3)}`);
    assert.ok(Math.abs(lag) <= 480, `${name}: lag ${lag}`);
    assert.equal(percents[percents.length - 1], 100);
  });
}

test('mp4 with a video track and an audio track: the audio is used', async () => {
  const file = path.join(dir, 'video-aac-48k.mp4');
  ffmpeg(
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=64x48:rate=10',
    '-i',
    JFK,
    '-map',
    '0:v',
    '-map',
    '1:a',
    '-t',
    String(REF_SECONDS),
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-ar',
    '48000',
    '-shortest',
    file,
  );
  const d = await decodeAudio(file);
  assert.deepEqual(d.probe.audioStreams, ['aac']);
  assert.ok(d.probe.otherStreams[0].startsWith('Video'));
  assert.ok(Math.abs(d.duration - REF_SECONDS) <= 0.02, `mp4: ${d.duration} s`);
  assert.ok(xcorr(reference, d.samples, 480).peak >= 0.9);
});

test('inputs longer than the limit are refused before decoding, with the numbers', async () => {
  await assert.rejects(decodeAudio(JFK, { maxSeconds: 5 }), (e: Error & { kind?: string }) => {
    assert.equal(e.kind, 'bad-input');
    assert.match(e.message, /Input is too long: 0 h 00 min \(0\.0 GB decoded\); the limit is 0 h 00 min/);
    return true;
  });
});

test('cancellation kills ffmpeg and rejects with CancelledError', async () => {
  const long = path.join(dir, 'long.flac');
  ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=1200', '-c:a', 'flac', long);
  const controller = new AbortController();
  const p = decodeAudio(long, { signal: controller.signal, onProgress: (pc) => pc >= 5 && controller.abort() });
  await assert.rejects(p, (e: Error & { kind?: string }) => e.kind === 'cancelled');
});
