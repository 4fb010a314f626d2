// quantizeModelFolder on a toy Whisper folder (the hub's layout: config.json and two float graphs): the int8 and q4
// graphs it writes load in onnxruntime-node and compute what the float graphs compute, within the precision's error;
// a cancelled run leaves no file behind, a run started again does only what is missing, and a dynamically quantized
// graph in the way is replaced. On the build's base folder it writes the build's own int8 files, byte for byte.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { quantizeModelFolder, type QuantizeProgress } from '../../src/quantize';
import { dynamicallyQuantizedModel, modelBytes, randomFloats, TOY, writeToyWhisperFolder } from '../fixtures/onnxGraphs';
import { tmpDir } from '../fixtures/tmp';
import { modelDirOrSkip } from '../fixtures/whisper/helpers';

const FLOAT_GRAPHS = ['decoder_model_merged.onnx', 'encoder_model.onnx'];
const filesOf = (dir: string) => fs.readdirSync(path.join(dir, 'onnx')).sort();

async function runGraph(file: string, feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(file);
  try {
    const out = await session.run(feeds);
    return out[session.outputNames[0]].data as Float32Array;
  } finally {
    await session.release();
  }
}

/** Pearson correlation of two equally long series. */
function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) [ma, mb] = [ma + a[i] / n, mb + b[i] / n];
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) [ab, aa, bb] = [ab + (a[i] - ma) * (b[i] - mb), aa + (a[i] - ma) ** 2, bb + (b[i] - mb) ** 2];
  return ab / Math.sqrt(aa * bb);
}

for (const [precision, minCorrelation] of [
  ['int8', 0.999],
  ['q4', 0.98],
] as const) {
  test(`quantizeModelFolder ${precision}: graphs that run and compute what the float ones do`, async () => {
    const dir = writeToyWhisperFolder(tmpDir(`quantize-${precision}`));
    const log: string[] = [];
    const progress: QuantizeProgress[] = [];
    const result = await quantizeModelFolder(dir, precision, { log: (l) => log.push(l), onProgress: (p) => progress.push(p) });
    const suffix = `_${precision}`;
    assert.deepEqual(result.written, [
      `onnx/encoder_model${suffix}.onnx_data`,
      `onnx/encoder_model${suffix}.onnx`,
      `onnx/decoder_model_merged${suffix}.onnx_data`,
      `onnx/decoder_model_merged${suffix}.onnx`,
    ]);
    assert.ok(
      log.some((l) => /self-attention left unfused/.test(l)),
      'the toy encoder has no attention: said so',
    );
    assert.ok(log.some((l) => /token embedding in 8-bit blocks of 64 \(2 lookups\)/.test(l)));
    // Progress counts bytes of float weights, ends at the total, never goes back.
    const total = progress[0].total;
    const { dModel: d, vocab } = TOY;
    assert.equal(total, 4 * (d * d + (d * d + 2 * vocab * d)), 'the float weights of the encoder (1 matrix) and decoder (3)');
    assert.deepEqual(progress.at(-1), { step: `onnx/decoder_model_merged${suffix}.onnx`, done: total, total });
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i].done >= progress[i - 1].done);

    const frames = new ort.Tensor('float32', randomFloats(10 * TOY.dModel, 11), [1, 10, TOY.dModel]);
    const encoded = await runGraph(path.join(dir, 'onnx', `encoder_model${suffix}.onnx`), { input_features: frames });
    const encodedFloat = await runGraph(path.join(dir, 'onnx', 'encoder_model.onnx'), { input_features: frames });
    assert.ok(correlation(encoded, encodedFloat) > minCorrelation, `encoder correlation ${correlation(encoded, encodedFloat)}`);

    const tokens = 6;
    const feeds = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from([5n, 17n, 40n, 3n, 95n, 60n]), [1, tokens]),
      use_cache_branch: new ort.Tensor('bool', [false], [1]),
    };
    const logits = await runGraph(path.join(dir, 'onnx', `decoder_model_merged${suffix}.onnx`), feeds);
    const logitsFloat = await runGraph(path.join(dir, 'onnx', 'decoder_model_merged.onnx'), feeds);
    // The quantized decoder returns the logits of the last 4 positions only.
    assert.equal(logits.length, 4 * TOY.vocab);
    const lastFour = logitsFloat.subarray((tokens - 4) * TOY.vocab);
    assert.ok(correlation(logits, lastFour) > minCorrelation, `decoder correlation ${correlation(logits, lastFour)}`);
  });
}

test('quantizeModelFolder: a cancelled run leaves no file; started again it does only what is missing', async () => {
  const dir = writeToyWhisperFolder(tmpDir('quantize-cancel'));
  const controller = new AbortController();
  // Cancelled after the first tensor of the second graph: the encoder's files are complete by then and stay.
  const cancelled = quantizeModelFolder(dir, 'int8', {
    signal: controller.signal,
    onProgress: (p) => {
      if (p.step.includes('decoder') && p.done > p.total / 5) controller.abort();
    },
  });
  await assert.rejects(cancelled, (e: Error) => e.name === 'AbortError');
  assert.deepEqual(filesOf(dir), [...FLOAT_GRAPHS, 'encoder_model_int8.onnx', 'encoder_model_int8.onnx_data']);

  const rest = await quantizeModelFolder(dir, 'int8');
  assert.deepEqual(rest.written, ['onnx/decoder_model_merged_int8.onnx_data', 'onnx/decoder_model_merged_int8.onnx']);
  assert.deepEqual((await quantizeModelFolder(dir, 'int8')).written, []);

  // Cancelled before anything is written: nothing appears.
  const early = new AbortController();
  early.abort();
  await assert.rejects(quantizeModelFolder(dir, 'q4', { signal: early.signal }), (e: Error) => e.name === 'AbortError');
  assert.ok(!filesOf(dir).some((f) => f.includes('_q4') || f.endsWith('.partial')));
});

test('quantizeModelFolder: a dynamically quantized graph where its output goes is replaced', async () => {
  const dir = writeToyWhisperFolder(tmpDir('quantize-dynamic'));
  const output = path.join(dir, 'onnx', 'encoder_model_int8.onnx');
  fs.writeFileSync(output, modelBytes(dynamicallyQuantizedModel()));
  fs.writeFileSync(`${output}_data`, '');
  const log: string[] = [];
  const result = await quantizeModelFolder(dir, 'int8', { log: (l) => log.push(l) });
  assert.ok(result.written.includes('onnx/encoder_model_int8.onnx'));
  assert.ok(log.some((l) => /encoder_model_int8\.onnx: dynamically quantized \(MatMulInteger, DynamicQuantizeLinear\), replaced/.test(l)));
});

test('quantizeModelFolder on the build’s base folder writes the build’s int8 graphs byte for byte', async (t) => {
  const base = modelDirOrSkip('base');
  if (base.skip) return t.skip(base.skip);
  const dir = tmpDir('quantize-base');
  fs.mkdirSync(path.join(dir, 'onnx'));
  fs.copyFileSync(path.join(base.dir, 'config.json'), path.join(dir, 'config.json'));
  for (const f of FLOAT_GRAPHS.flatMap((g) => [g, `${g}_data`])) {
    try {
      fs.linkSync(path.join(base.dir, 'onnx', f), path.join(dir, 'onnx', f));
    } catch {
      fs.copyFileSync(path.join(base.dir, 'onnx', f), path.join(dir, 'onnx', f));
    }
  }
  const result = await quantizeModelFolder(dir, 'int8');
  assert.equal(result.written.length, 4);
  for (const f of result.written) {
    const same = fs.readFileSync(path.join(dir, f)).equals(fs.readFileSync(path.join(base.dir, f)));
    assert.ok(same, `${f} differs from the build's`);
  }
});
