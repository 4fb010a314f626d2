// Each decoder step's self-attention cache replaces the previous one, whose memory is freed at once (releaseNow)
// instead of when V8 gets to it: on the medium stand-in that took the tree's peak from 1,698–1,706 to 1,570–1,624 MB.
// These tests read what the decoder's own runs returned (the real base model): the replaced arrays are empty, the ones
// in use are not, the prompt step's cross-attention cache survives the whole pass, and a row gathered for beam search
// still decodes as its source did.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as ort from 'onnxruntime-node';
import { loadWhisperModel } from '../../src/whisper';
import type { LoadedWhisperModel } from '../../src/whisper/model';
import { releaseNow } from '../../src/whisper/releaseNow';
import { modelDirOrSkip } from '../fixtures/whisper/helpers';

const model = modelDirOrSkip('base');
/** <|startoftranscript|><|en|><|transcribe|><|notimestamps|>, then ordinary text tokens, one a step. */
const PROMPT = [50258, 50259, 50359, 50363];
const STEPS = [400, 370, 452, 7177, 6280];

/** The outputs of every decoder run while `body` runs, in order. */
async function decoderOutputs(body: () => Promise<void>): Promise<Record<string, ort.Tensor>[]> {
  const runs: Record<string, ort.Tensor>[] = [];
  const proto = (ort.InferenceSession as unknown as { prototype: { run: (...args: unknown[]) => Promise<Record<string, ort.Tensor>> } }).prototype;
  const run = proto.run;
  proto.run = async function (this: ort.InferenceSession, ...args: unknown[]) {
    const out = await run.apply(this, args);
    if (this.inputNames.includes('input_ids')) runs.push(out);
    return out;
  };
  try {
    await body();
  } finally {
    proto.run = run;
  }
  return runs;
}

const selfCache = (out: Record<string, ort.Tensor>) => Object.keys(out).filter((n) => /^present\.\d+\.decoder\./.test(n));
const bytes = (t: ort.Tensor) => (t.data as Float32Array).byteLength;

test('a step frees the self-attention cache it replaces and keeps the cross-attention cache', { skip: model.skip }, async () => {
  const m = (await loadWhisperModel(model.dir, { precision: 'int8', threads: 2 })) as LoadedWhisperModel;
  try {
    const encoded = await m.inference.encode(new Float32Array(80 * 3000).fill(-0.5));
    const cross: Float32Array[] = [];
    const runs = await decoderOutputs(async () => {
      const pass = m.inference.startDecoding(encoded);
      await pass.feed(PROMPT);
      assert.equal(Object.keys(pass.crossCache()!).length, 12, 'base: 6 layers × key, value');
      for (const name of Object.keys(pass.crossCache()!)) cross.push((pass.crossCache()![name].data as Float32Array).slice());
      for (const token of STEPS) await pass.feedRows([token], [0]);
      // The cache the alignment run reads is the prompt step's, whole.
      assert.deepEqual(
        Object.values(pass.crossCache()!).map((t) => t.data),
        cross,
      );
    });
    assert.equal(runs.length, 1 + STEPS.length);
    for (const [i, out] of runs.entries()) {
      const last = i === runs.length - 1;
      for (const name of selfCache(out)) assert.equal(bytes(out[name]) === 0, !last, `run ${i}: ${name} holds ${bytes(out[name])} bytes`);
      assert.ok(bytes(out.logits) > 0, 'the logits are the caller’s');
    }
  } finally {
    await m.dispose();
  }
});

test('rows gathered for beam search decode as their source row did, and the rows they replaced are freed', { skip: model.skip }, async () => {
  const m = (await loadWhisperModel(model.dir, { precision: 'int8', threads: 2 })) as LoadedWhisperModel;
  try {
    const encoded = await m.inference.encode(new Float32Array(80 * 3000).fill(-0.5));
    const runs = await decoderOutputs(async () => {
      const pass = m.inference.startDecoding(encoded);
      await pass.feed(PROMPT);
      const two = await pass.feedRows([STEPS[0], STEPS[1]], [0, 0]);
      // Both rows continue row 1: the same history, so the same logits.
      const next = await pass.feedRows([STEPS[2], STEPS[2]], [1, 1]);
      const vocab = next.length / 2;
      const a = next.subarray(0, vocab);
      const b = next.subarray(vocab);
      for (let k = 0; k < vocab; k += 97) assert.ok(Math.abs(a[k] - b[k]) < 1e-4, `logit ${k}: ${a[k]} against ${b[k]}`);
      assert.equal(two.length, 2 * vocab);
    });
    // The two-row step's cache was gathered into new rows before the third run: its own arrays were freed.
    for (const name of selfCache(runs[1])) assert.equal(bytes(runs[1][name]), 0, name);
    for (const name of selfCache(runs[2])) assert.ok(bytes(runs[2][name]) > 0, name);
  } finally {
    await m.dispose();
  }
});

const residentMb = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;

test(
  'releaseNow gives an array’s memory back by the next turn of the event loop and leaves views alone',
  { skip: process.platform !== 'linux' && 'reads /proc' },
  async () => {
    const big = new Float32Array(50_000_000).fill(1); // 200 MB, touched
    const before = residentMb();
    releaseNow(big);
    assert.equal(big.length, 0);
    // onnxruntime-node starts each run from setImmediate: the closed ports' memory is gone by the next run.
    await new Promise(setImmediate);
    await new Promise(setImmediate);
    assert.ok(before - residentMb() > 150, `resident ${before.toFixed(0)} → ${residentMb().toFixed(0)} MB`);

    const whole = new Float32Array(16).fill(2);
    const view = whole.subarray(4, 8);
    releaseNow(view);
    assert.equal(view.length, 4);
    assert.equal(whole[0], 2);
    releaseNow(new Float32Array(0));
  },
);
