// The ONNX codec under the quantizer: a model decoded and encoded unedited is the same bytes and runs the same in
// onnxruntime-node, with its weights inline or written to an external data file (and read back from one); the build's
// real graphs (If branches, external data) survive the same round trip byte for byte.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { decodeModel } from '../../src/onnx/decode';
import { encodeModel, encodeTensor, type Tensor } from '../../src/onnx/model';
import { saveWithExternalData } from '../../src/onnx/saveExternal';
import { TensorReader } from '../../src/onnx/tensorData';
import { ifModel, modelBytes, randomFloats } from '../fixtures/onnxGraphs';
import { tmpDir } from '../fixtures/tmp';
import { modelDirOrSkip } from '../fixtures/whisper/helpers';

/** Byte equality without printing megabytes on failure. */
function assertSameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  assert.ok(Buffer.from(actual).equals(Buffer.from(expected)), `${what}: ${actual.length} bytes differ from the ${expected.length} expected`);
}

async function run(model: string | Uint8Array, flag: boolean): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model as Uint8Array);
  try {
    const x = new ort.Tensor('float32', randomFloats(3 * 16, 9), [3, 16]);
    const out = await session.run({ x, flag: new ort.Tensor('bool', [flag], []) });
    return out.y.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** Encodes with every tensor where it was read from: raw_data inline, or the same range of the same data file. */
function encodeAsRead(bytes: Uint8Array, dir: string): Uint8Array {
  return encodeModel(decodeModel(bytes, dir), (t: Tensor) => {
    if (t.data.kind === 'bytes') return encodeTensor(t, { kind: 'inline', bytes: t.data.bytes });
    const d = t.data;
    if (d.kind === 'file')
      return encodeTensor({ ...t, defaultLocationWritten: false }, { kind: 'external', location: path.basename(d.path), offset: d.offset, length: d.length });
    return encodeTensor(t, { kind: 'fields' });
  });
}

test('codec: a model decoded and encoded unedited is the same bytes and gives the same outputs', async () => {
  const bytes = modelBytes(ifModel());
  const again = encodeAsRead(bytes, '.');
  assertSameBytes(again, bytes, 'the model encoded again');
  for (const flag of [true, false]) assert.deepEqual(await run(again, flag), await run(bytes, flag));
  // The If really switches between its branches (the test would not see a lost branch otherwise).
  assert.notDeepEqual(await run(bytes, true), await run(bytes, false));
});

test('codec: weights written to <file>_data (≥ 991 bytes, as onnx does) load and run the same; read back, the same file', async () => {
  const dir = tmpDir('codec');
  const bytes = modelBytes(ifModel());
  const file = path.join(dir, 'model.onnx');
  const reader = new TensorReader();
  const written = await saveWithExternalData(decodeModel(bytes, dir), file, { reader });
  await reader.close();
  assert.deepEqual(written, [`${file}_data`, file]);
  // W (16×16 floats, 1024 bytes) goes out, b (64 bytes) stays: the data file holds exactly W.
  assert.equal(fs.statSync(`${file}_data`).size, 1024);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['model.onnx', 'model.onnx_data']);
  for (const flag of [true, false]) assert.deepEqual(await run(file, flag), await run(bytes, flag));
  const external = new Uint8Array(fs.readFileSync(file));
  const w = decodeModel(external, dir).graph.initializers.find((t) => t.name === 'W');
  assert.equal(w?.data.kind, 'file');
  assertSameBytes(encodeAsRead(external, dir), external, 'the externalized model encoded again');
});

test('codec: the build’s graphs (If branches, external data) round-trip byte for byte', (t) => {
  const base = modelDirOrSkip('tiny.en');
  if (base.skip) return t.skip(base.skip);
  for (const name of ['encoder_model_q4.onnx', 'decoder_model_merged_int8.onnx', 'decoder_model_merged.onnx']) {
    const file = path.join(base.dir, 'onnx', name);
    const bytes = new Uint8Array(fs.readFileSync(file));
    assertSameBytes(encodeAsRead(bytes, path.dirname(file)), bytes, name);
  }
});
