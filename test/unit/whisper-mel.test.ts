// The log-mel front end against transformers' WhisperFeatureExtractor (tools/reference/mel_reference.py)
// and the FFT against a naive DFT.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { FftPlan, naiveDft, RealPowerSpectrum } from '../../src/dsp/fft';
import { logMelSpectrogram, melWindow, N_FRAMES, WindowedLogMel, whisperFilterbank } from '../../src/whisper/mel';
import { readWav16k, TESTDATA } from '../fixtures/whisper/helpers';
import { seededRandom } from '../../src/random';

/** Normalised log-mel values lie in about [-1.5, 1.5]; float32 rounding in the reference is ~1e-6. */
const MEL_TOLERANCE = 1e-4;
const FFT_TOLERANCE = 1e-9;

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/whisper/mel-jfk.json'), 'utf8')) as {
  sets: { nMels: number; firstFrame: number; frames: number; values: number[]; filterRows: Record<string, number[]> }[];
};

test('FFT matches a naive DFT on random input for Whisper and other lengths', () => {
  const rnd = seededRandom(7);
  for (const n of [1, 2, 3, 5, 16, 25, 49, 100, 400, 512, 1000]) {
    const re = Float64Array.from({ length: n }, () => rnd() - 0.5);
    const im = Float64Array.from({ length: n }, () => rnd() - 0.5);
    const ref = naiveDft(re, im);
    new FftPlan(n).forward(re, im);
    for (let k = 0; k < n; k++) {
      assert.ok(Math.abs(re[k] - ref.re[k]) < FFT_TOLERANCE * n, `n=${n} re[${k}]`);
      assert.ok(Math.abs(im[k] - ref.im[k]) < FFT_TOLERANCE * n, `n=${n} im[${k}]`);
    }
  }
});

test('real-input power spectrum equals |DFT|² (n = 400 and others)', () => {
  const rnd = seededRandom(11);
  for (const n of [2, 10, 400, 512]) {
    const x = Float64Array.from({ length: n }, () => rnd() - 0.5);
    const ref = naiveDft(x, new Float64Array(n));
    const out = new Float64Array(n / 2 + 1);
    new RealPowerSpectrum(n).compute(x, out);
    for (let k = 0; k <= n / 2; k++) {
      const p = ref.re[k] ** 2 + ref.im[k] ** 2;
      assert.ok(Math.abs(out[k] - p) < FFT_TOLERANCE * n * Math.max(1, p), `n=${n} k=${k}: ${out[k]} vs ${p}`);
    }
  }
});

test('mel filterbank rows equal librosa slaney (80 and 128 bins)', () => {
  for (const set of fixture.sets) {
    const fb = whisperFilterbank(set.nMels);
    for (const [m, row] of Object.entries(set.filterRows)) {
      const f = fb[Number(m)];
      for (let k = 0; k < row.length; k++) {
        const w = k >= f.first && k < f.first + f.weights.length ? f.weights[k - f.first] : 0;
        assert.ok(Math.abs(w - row[k]) < 1e-7, `mel ${m} bin ${k}: ${w} vs ${row[k]}`);
      }
    }
  }
});

test(`log-mel of jfk.wav matches WhisperFeatureExtractor within ${MEL_TOLERANCE}`, () => {
  const audio = readWav16k(path.join(TESTDATA, 'en/jfk.wav'));
  for (const set of fixture.sets) {
    const mel = logMelSpectrogram(audio, set.nMels);
    assert.equal(mel.nFrames, Math.floor(audio.length / 160));
    const window = melWindow(mel, 0, mel.nFrames);
    let maxErr = 0;
    for (let m = 0; m < set.nMels; m++) {
      for (let f = 0; f < set.frames; f++) {
        const ours = window[m * N_FRAMES + set.firstFrame + f];
        const ref = set.values[m * set.frames + f];
        maxErr = Math.max(maxErr, Math.abs(ours - ref));
      }
    }
    console.log(`# ${set.nMels} bins: max abs error ${maxErr.toExponential(2)} over ${set.frames} frames`);
    assert.ok(maxErr < MEL_TOLERANCE, `${set.nMels} bins: max abs error ${maxErr}`);
  }
});

test('a short last window is zero-padded to 3000 frames', () => {
  const audio = new Float32Array(16000).map((_, i) => Math.sin(i / 10));
  const mel = logMelSpectrogram(audio, 80);
  const w = melWindow(mel, 0, mel.nFrames);
  assert.equal(w.length, 80 * N_FRAMES);
  assert.equal(w[N_FRAMES - 1], 0);
  assert.notEqual(w[0], 0);
});

test('log-mel of 30 s takes well under a second', () => {
  const rnd = seededRandom(3);
  const audio = Float32Array.from({ length: 30 * 16000 }, () => rnd() - 0.5);
  logMelSpectrogram(audio.subarray(0, 16000), 80); // warm-up (JIT)
  const t0 = performance.now();
  logMelSpectrogram(audio, 80);
  const ms = performance.now() - t0;
  console.log(`# log-mel 30 s (80 bins): ${ms.toFixed(1)} ms`);
  assert.ok(ms < 1000);
});

test('windowed log-mel (one pass for the maximum, windows on demand) equals melWindow over the whole log-mel', async () => {
  const jfk = readWav16k(path.join(TESTDATA, 'en', 'jfk.wav'));
  const long = new Float32Array(jfk.length * 7); // 77 s: full windows, a window straddling joins, a short tail
  for (let i = 0; i < 7; i++) long.set(jfk, i * jfk.length);
  for (const nMels of [80, 128]) {
    const whole = logMelSpectrogram(long, nMels);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const lazy = await WindowedLogMel.create(long, nMels);
    clearInterval(timer);
    assert.ok(ticks >= 1, 'the event loop ran during the first pass');
    assert.equal(lazy.nFrames, whole.nFrames);
    for (const [start, count] of [
      [0, N_FRAMES],
      [1234, N_FRAMES],
      [whole.nFrames - 500, 500],
      [whole.nFrames - 10, N_FRAMES],
    ]) {
      assert.deepEqual(lazy.window(start, count), melWindow(whole, start, count), `${nMels} bins, window at ${start}`);
    }
  }
});
