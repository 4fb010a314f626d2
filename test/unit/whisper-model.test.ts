// Whisper end to end with the real model (no mocks): jfk.wav in INT8 and FP32, forced and detected
// language; PT-BR WER; silence and noise give no text; cancellation; INT8 → FP32 fallback; bad folders.
// Skips with a message when the model folder is absent (CI always prepares it).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CancelledError, TranscrevError } from '../../src/errors';
import { detectSpeech, loadVad, loadWhisperModel, transcribeSamples, type Vad, type WhisperModel } from '../../src/whisper/index';
import { ptbrClips } from '../fixtures/clips';
import { concat, modelDirOrSkip, MODELS_ROOT, pinkNoise, readWav16k, TESTDATA, whiteNoise, wordErrorRate } from '../fixtures/whisper/helpers';

const MODEL = process.env.TRANSCREVAI_TEST_MODEL ?? 'base';
const model = modelDirOrSkip(MODEL);
const THREADS = 2;
/**
 * jfk after lower-casing and removing punctuation: FP32 word-exact (parity with the reference decoder is
 * expected); INT8 at most one word off, a bound that a lost clause breaks (the dynamic INT8 recipe lost five
 * words on AVX2 CPUs) but a vendor's rounding flipping one near-tie does not. test/engine/cpu-independence.test.ts
 * checks INT8 on an AVX2-only CPU as well.
 */
const JFK_MAX_WORD_ERRORS = { fp32: 0, int8: 1 } as const;
/** PT-BR read speech (LapsBM + UFPAlign, 8 clips), pooled WER bound for base; measured 2026-11 (see report). */
const PTBR_MAX_WER = Number(process.env.TRANSCREVAI_PTBR_MAX_WER ?? 0.3);
/** Cancellation takes effect at the next token or window; the worst case is one encoder run (ORT runs cannot be interrupted from Node), ~0.3 s for base INT8 on an idle machine, ~1.4 s measured with the machine loaded 3×. */
const CANCEL_LATENCY_MS = 3000;

const jfkPath = path.join(TESTDATA, 'en/jfk.wav');
const jfkText = fs.readFileSync(path.join(TESTDATA, 'en/jfk.txt'), 'utf8');

const textOf = (segments: { text: string }[]) => segments.map((s) => s.text).join(' ');

let cached: Partial<Record<'int8' | 'fp32', WhisperModel>> = {};
async function getModel(precision: 'int8' | 'fp32'): Promise<WhisperModel> {
  cached[precision] ??= await loadWhisperModel(model.dir, { precision, threads: THREADS });
  return cached[precision]!;
}
let vad: Vad | undefined;
async function getVad(): Promise<Vad> {
  vad ??= await loadVad(path.join(MODELS_ROOT, 'vad'));
  return vad;
}

test.after(async () => {
  for (const m of Object.values(cached)) await m?.dispose();
  await vad?.dispose();
  cached = {};
});

for (const precision of ['int8', 'fp32'] as const) {
  test(`jfk.wav, ${precision}, language en and auto → the reference text`, { skip: model.skip }, async () => {
    const m = await getModel(precision);
    assert.equal(m.precision, precision);
    const audio = readWav16k(jfkPath);
    for (const language of ['en', 'auto']) {
      const t0 = performance.now();
      const r = await transcribeSamples(m, audio, { language });
      const seconds = (performance.now() - t0) / 1000;
      const text = textOf(r.segments);
      console.log(`# ${MODEL}/${precision} jfk (${language}): RTF ${(seconds / 11).toFixed(3)} "${text}"`);
      assert.equal(r.language, 'en');
      assert.ok(wordErrorRate(jfkText, text).errors <= JFK_MAX_WORD_ERRORS[precision], text);
      assert.ok(r.segments[0].start >= 0 && r.segments.at(-1)!.end <= 11.01);
      for (let i = 1; i < r.segments.length; i++) assert.ok(r.segments[i].start >= r.segments[i - 1].start);
    }
  });
}

const englishOnly = modelDirOrSkip('tiny.en');
test('an English-only model (tiny.en): sot sequence without language/task tokens, jfk transcribed', { skip: englishOnly.skip }, async () => {
  const m = await loadWhisperModel(englishOnly.dir, { precision: 'int8', threads: THREADS });
  try {
    assert.equal(m.isMultilingual, false);
    const r = await transcribeSamples(m, readWav16k(jfkPath), { language: 'auto' });
    assert.equal(r.language, 'en');
    assert.ok(wordErrorRate(jfkText, textOf(r.segments)).wer <= 0.05, textOf(r.segments));
  } finally {
    await m.dispose();
  }
});

test(`PT-BR clips (8): pooled WER below ${PTBR_MAX_WER} (int8, language pt)`, { skip: model.skip }, async () => {
  const m = await getModel('int8');
  let errors = 0;
  let words = 0;
  for (const clip of ptbrClips()) {
    const r = await transcribeSamples(m, readWav16k(clip.wav), { language: 'pt' });
    const w = wordErrorRate(clip.text, textOf(r.segments));
    errors += w.errors;
    words += w.words;
    console.log(`# ${path.basename(clip.wav)} WER ${w.wer.toFixed(3)} "${textOf(r.segments)}"`);
  }
  console.log(`# ${MODEL}/int8 PT-BR pooled WER ${(errors / words).toFixed(3)} (${errors}/${words})`);
  assert.ok(errors / words < PTBR_MAX_WER);
  // 'auto' detects Portuguese, even on a 2 s clip.
  for (const clip of ptbrClips().filter((c) => /M-001|coxinha/.test(c.wav))) {
    assert.equal((await transcribeSamples(m, readWav16k(clip.wav), { language: 'auto' })).language, 'pt', clip.wav);
  }
});

test('60 s of silence and of white/pink noise → no segments (with VAD); silence and pink noise → none without VAD too', { skip: model.skip }, async () => {
  const m = await getModel('int8');
  const v = await getVad();
  const minute = 60 * 16000;
  for (const [name, audio] of [
    ['silence', new Float32Array(minute)],
    ['white noise', whiteNoise(minute, 0.05)],
    ['pink noise', pinkNoise(minute, 0.2)],
  ] as const) {
    const speech = await detectSpeech(v, audio);
    const r = await transcribeSamples(m, audio, { language: 'pt', speech });
    assert.deepEqual(r.segments, [], `${name}: ${textOf(r.segments)}`);
  }
  // Without VAD the no-speech rule alone must hold too; 'auto' then reports no language.
  for (const [name, audio] of [
    ['silence', new Float32Array(minute)],
    ['pink noise', pinkNoise(minute, 0.2)],
  ] as const) {
    const bare = await transcribeSamples(m, audio, { language: 'auto' });
    assert.deepEqual(bare.segments, [], `${name} without VAD: ${textOf(bare.segments)}`);
    assert.equal(bare.language, 'und');
  }
});

test('speech, 60 s of silence, speech (VAD) → text only where the speech is, times on the original timeline', { skip: model.skip }, async () => {
  const m = await getModel('int8');
  const v = await getVad();
  const [a, b] = ['ufpalign/falabrasil', 'lapsbm/LapsBM_0385'].map((n) => path.join(TESTDATA, 'ptbr', n));
  const first = readWav16k(a + '.wav');
  const second = readWav16k(b + '.wav');
  const gapStart = first.length / 16000;
  const gapEnd = gapStart + 60;
  const audio = concat(first, new Float32Array(60 * 16000), second);
  const speech = await detectSpeech(v, audio);
  const r = await transcribeSamples(m, audio, { language: 'pt', speech });
  console.log(`# ${JSON.stringify(r.segments.map((s) => [s.start, s.end, s.text]))}`);
  for (const s of r.segments) assert.ok(s.end <= gapStart + 0.5 || s.start >= gapEnd - 0.5, `segment in the silence: ${JSON.stringify(s)}`);
  const before = textOf(r.segments.filter((s) => s.end <= gapStart + 0.5));
  const after = textOf(r.segments.filter((s) => s.start >= gapEnd - 0.5));
  assert.ok(wordErrorRate(fs.readFileSync(a + '.txt', 'utf8'), before).wer <= 0.35, before);
  assert.ok(wordErrorRate(fs.readFileSync(b + '.txt', 'utf8'), after).wer <= 0.35, after);
});

test('cancellation mid-file rejects with CancelledError quickly; progress runs 0 → 100', { skip: model.skip }, async () => {
  const m = await getModel('int8');
  const jfk = readWav16k(jfkPath);
  const audio = concat(jfk, jfk, jfk, jfk, jfk, jfk); // 66 s: three windows
  // Uncancelled, progress rises monotonically from 0 to 100.
  const progress: number[] = [];
  await transcribeSamples(m, audio.subarray(0, 40 * 16000), { language: 'en', onProgress: (p) => progress.push(p) });
  assert.equal(progress[0], 0);
  assert.equal(progress.at(-1), 100);
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i] > progress[i - 1]);
  // Aborted in the middle of the first window's decoding (after encoder and a few tokens).
  for (const delayMs of [150, 600]) {
    const controller = new AbortController();
    let abortedAt = 0;
    setTimeout(() => {
      abortedAt = performance.now();
      controller.abort();
    }, delayMs);
    await assert.rejects(transcribeSamples(m, audio, { language: 'en', signal: controller.signal }), (err) => err instanceof CancelledError);
    const latency = performance.now() - abortedAt;
    console.log(`# cancellation ${delayMs} ms into the file: rejected ${latency.toFixed(0)} ms after abort()`);
    assert.ok(abortedAt > 0 && latency < CANCEL_LATENCY_MS);
  }
});

test('missing INT8 files → FP32 with a warning; precision says fp32', { skip: model.skip }, async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-noint8-'));
  try {
    for (const f of fs.readdirSync(model.dir)) if (f !== 'onnx') fs.symlinkSync(path.join(model.dir, f), path.join(tmp, f));
    fs.mkdirSync(path.join(tmp, 'onnx'));
    for (const f of fs.readdirSync(path.join(model.dir, 'onnx'))) {
      if (!f.includes('int8')) fs.symlinkSync(path.join(model.dir, 'onnx', f), path.join(tmp, 'onnx', f));
    }
    const warnings: string[] = [];
    const m = await loadWhisperModel(tmp, { precision: 'int8', threads: THREADS, onWarning: (w) => warnings.push(w) });
    try {
      assert.equal(m.precision, 'fp32');
      assert.equal(m.name, path.basename(tmp));
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /INT8.*FP32/);
      assert.match(warnings[0], /encoder_model_int8\.onnx/);
    } finally {
      await m.dispose();
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('bad model folders → one-line model errors naming the folder and the file', async () => {
  const missing = path.join(os.tmpdir(), 'no-such-whisper-model');
  await assert.rejects(loadWhisperModel(missing, { precision: 'int8', threads: 1 }), (err) => {
    return err instanceof TranscrevError && err.kind === 'model' && err.message.includes(missing) && !err.message.includes('\n');
  });
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-empty-'));
  try {
    await assert.rejects(loadWhisperModel(empty, { precision: 'int8', threads: 1 }), (err) => {
      return err instanceof TranscrevError && err.kind === 'model' && err.message.includes(empty) && err.message.includes('config.json');
    });
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
});

test('a corrupt ONNX file → model error naming it', { skip: model.skip }, async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-corrupt-'));
  try {
    for (const f of fs.readdirSync(model.dir)) if (f !== 'onnx') fs.symlinkSync(path.join(model.dir, f), path.join(tmp, f));
    fs.mkdirSync(path.join(tmp, 'onnx'));
    fs.writeFileSync(path.join(tmp, 'onnx', 'encoder_model.onnx'), 'not an onnx model');
    fs.symlinkSync(path.join(model.dir, 'onnx', 'decoder_model_merged.onnx'), path.join(tmp, 'onnx', 'decoder_model_merged.onnx'));
    await assert.rejects(loadWhisperModel(tmp, { precision: 'fp32', threads: 1 }), (err) => {
      return err instanceof TranscrevError && err.kind === 'model' && err.message.includes(path.join(tmp, 'onnx', 'encoder_model.onnx'));
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('a corrupt INT8 file → FP32 with a warning naming it', { skip: model.skip }, async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-badint8-'));
  try {
    for (const f of fs.readdirSync(model.dir)) if (f !== 'onnx') fs.symlinkSync(path.join(model.dir, f), path.join(tmp, f));
    fs.mkdirSync(path.join(tmp, 'onnx'));
    for (const f of fs.readdirSync(path.join(model.dir, 'onnx'))) {
      if (f !== 'encoder_model_int8.onnx') fs.symlinkSync(path.join(model.dir, 'onnx', f), path.join(tmp, 'onnx', f));
    }
    fs.writeFileSync(path.join(tmp, 'onnx', 'encoder_model_int8.onnx'), Buffer.alloc(1024, 7));
    const warnings: string[] = [];
    const m = await loadWhisperModel(tmp, { precision: 'int8', threads: THREADS, onWarning: (w) => warnings.push(w) });
    try {
      assert.equal(m.precision, 'fp32');
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /encoder_model_int8\.onnx failed to load/);
    } finally {
      await m.dispose();
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
