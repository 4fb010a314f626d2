// Silero VAD: the region rules on synthetic probability sequences (worked by hand from Silero's
// get_speech_timestamps), then the real model on speech, silence and noise.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import {
  detectSpeech,
  loadVad,
  speechProbabilities,
  speechProbabilitiesCarried,
  speechRegionsFromProbabilities,
  VAD_WINDOW_SAMPLES as W,
  type VadCarry,
} from '../../src/audio/vad';
import { concat, MODELS_ROOT, pinkNoise, readWav16k, TESTDATA, whiteNoise } from '../fixtures/whisper/helpers';

/** A probability per 512-sample window from runs of [value, count]. */
function probs(...runs: [number, number][]): number[] {
  return runs.flatMap(([v, n]) => Array(n).fill(v));
}

test('no speech → no regions', () => {
  assert.deepEqual(speechRegionsFromProbabilities(probs([0.1, 200]), 200 * W), []);
});

test('one region: starts at the first speech window, ends after 100 ms of silence, padded 30 ms', () => {
  // speech in windows 10..29; silence from window 30 (temp_end 15360) confirmed at window 34 (2048 ≥ 1600 samples)
  const r = speechRegionsFromProbabilities(probs([0.1, 10], [0.9, 20], [0.1, 10]), 40 * W);
  assert.deepEqual(r, [{ start: 10 * W - 480, end: 30 * W + 480 }]);
});

test('speech shorter than 250 ms is dropped', () => {
  // 7 windows = 3584 samples < 4000
  assert.deepEqual(speechRegionsFromProbabilities(probs([0.1, 10], [0.9, 7], [0.1, 10]), 27 * W), []);
});

test('hysteresis: probabilities between neg_threshold (0.35) and threshold keep a region open', () => {
  const r = speechRegionsFromProbabilities(probs([0.1, 10], [0.9, 10], [0.4, 20], [0.9, 10], [0.1, 10]), 60 * W);
  assert.deepEqual(r, [{ start: 10 * W - 480, end: 50 * W + 480 }]);
});

test('a pause shorter than min_silence does not split a region', () => {
  // 3 windows of silence = 1536 samples < 1600
  const r = speechRegionsFromProbabilities(probs([0.1, 10], [0.9, 20], [0.1, 3], [0.9, 20], [0.1, 10]), 63 * W);
  assert.equal(r.length, 1);
  assert.deepEqual(r[0], { start: 10 * W - 480, end: 53 * W + 480 });
});

test('close neighbours share the gap instead of overlapping their padding', () => {
  // pad 100 ms = 1600 samples; gap 15360 → 17920 (2560 samples) < 2·pad, so each side takes half.
  const r = speechRegionsFromProbabilities(probs([0.1, 10], [0.9, 20], [0.1, 5], [0.9, 20], [0.1, 15]), 70 * W, { speechPadMs: 100 });
  assert.deepEqual(r, [
    { start: 5120 - 1600, end: 15360 + 1280 },
    { start: 17920 - 1280, end: 28160 + 1600 },
  ]);
});

test('speech running to the end closes at the last sample', () => {
  const n = 30 * W - 100;
  const r = speechRegionsFromProbabilities(probs([0.1, 10], [0.9, 20]), n);
  assert.deepEqual(r, [{ start: 10 * W - 480, end: n }]);
});

test('max_speech_duration splits an over-long region', () => {
  // 1 s max → 16000 − 512 − 960 = 14528 samples; no silence inside, so it cuts where it is.
  const r = speechRegionsFromProbabilities(probs([0.9, 60]), 60 * W, { maxSpeechSeconds: 1 });
  assert.deepEqual(r, [
    { start: 0, end: 14848 + 256 },
    { start: 15360 - 256, end: 30208 + 480 },
  ]);
});

const vadPath = path.join(MODELS_ROOT, 'vad', 'silero_vad.onnx');
const skipVad = fs.existsSync(vadPath) ? false : `VAD model ${vadPath} is absent (run "npm run models")`;

test('real Silero VAD: jfk speech found, 60 s of silence / white / pink noise give no regions', { skip: skipVad }, async () => {
  const vad = await loadVad(vadPath);
  try {
    const jfk = readWav16k(path.join(TESTDATA, 'en/jfk.wav'));
    const speech = await detectSpeech(vad, jfk);
    const covered = speech.reduce((s, r) => s + r.end - r.start, 0) / 16000;
    console.log(`# jfk regions: ${speech.map((r) => `${(r.start / 16000).toFixed(2)}-${(r.end / 16000).toFixed(2)}`).join(', ')}`);
    assert.ok(speech.length >= 1 && covered > 6 && covered < 11, `jfk speech covered ${covered} s`);

    const minute = 60 * 16000;
    assert.deepEqual(await detectSpeech(vad, new Float32Array(minute)), [], 'silence');
    assert.deepEqual(await detectSpeech(vad, whiteNoise(minute, 0.05)), [], 'white noise');
    assert.deepEqual(await detectSpeech(vad, pinkNoise(minute, 0.2)), [], 'pink noise');

    // speech, 60 s of silence, speech: nothing may be found inside the silence.
    const clip = concat(jfk, new Float32Array(minute), jfk);
    const regions = await detectSpeech(vad, clip);
    const silenceStart = jfk.length + 16000; // allow 1 s of padding/decay after the first clip
    const silenceEnd = jfk.length + minute;
    for (const r of regions) assert.ok(r.end <= silenceStart || r.start >= silenceEnd, `region in silence ${JSON.stringify(r)}`);
    assert.ok(
      regions.some((r) => r.start >= silenceEnd),
      'second speech found',
    );
  } finally {
    await vad.dispose();
  }
});

/** Python onnxruntime and Node onnxruntime on the same graph and input: float32 noise only. */
const VAD_PROB_TOLERANCE = 1e-4;

test('real Silero VAD: probabilities and regions equal the Python reference (tools/reference/vad_reference.py)', { skip: skipVad }, async () => {
  const ref = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/whisper/vad-jfk.json'), 'utf8')) as {
    probs: number[];
    regions: { start: number; end: number }[];
  };
  const vad = await loadVad(vadPath);
  try {
    const jfk = readWav16k(path.join(TESTDATA, 'en/jfk.wav'));
    const probs = await speechProbabilities(vad, jfk);
    assert.equal(probs.length, ref.probs.length);
    let maxErr = 0;
    for (let i = 0; i < probs.length; i++) maxErr = Math.max(maxErr, Math.abs(probs[i] - ref.probs[i]));
    console.log(`# VAD probabilities: max abs difference ${maxErr.toExponential(2)} over ${probs.length} windows`);
    assert.ok(maxErr < VAD_PROB_TOLERANCE);
    assert.deepEqual(speechRegionsFromProbabilities(probs, jfk.length), ref.regions);
  } finally {
    await vad.dispose();
  }
});

test('real Silero VAD, streamed: jfk scored in uneven pieces with the carried state equals one pass', { skip: skipVad }, async () => {
  const vad = await loadVad(vadPath);
  try {
    const jfk = readWav16k(path.join(TESTDATA, 'en/jfk.wav'));
    const whole = await speechProbabilities(vad, jfk);
    const pieces: number[] = [];
    let carry: VadCarry | undefined;
    // Pieces of 3, 40, 1 and 17 windows, repeated, as live audio arrives.
    const sizes = [3, 40, 1, 17];
    for (let at = 0, k = 0; at < jfk.length; k++) {
      const end = Math.min(jfk.length, at + sizes[k % sizes.length] * W);
      const r = await speechProbabilitiesCarried(vad, jfk.subarray(at, end), carry);
      pieces.push(...r.probs);
      carry = r.carry;
      at = end;
    }
    assert.equal(pieces.length, whole.length);
    for (let i = 0; i < whole.length; i++) assert.ok(Math.abs(pieces[i] - whole[i]) < 1e-6, `window ${i}: ${pieces[i]} vs ${whole[i]}`);
    // Without the carry, the pieces would not score like one stream.
    const fresh = await speechProbabilitiesCarried(vad, jfk.subarray(43 * W, 44 * W), undefined);
    assert.ok(Math.abs(fresh.probs[0] - whole[43]) > 1e-6, 'the state makes a difference');
  } finally {
    await vad.dispose();
  }
});
