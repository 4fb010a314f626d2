// findDynamicQuantization names quantize_dynamic's operators in a graph, inside If branches too, and none in float or
// weight-only (MatMulNBits) graphs: the check that keeps the hub's dynamically quantized Whisper graphs from running.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { findDynamicQuantization } from '../../src/quantize';
import { dynamicallyQuantizedModel, ifModel, modelBytes } from '../fixtures/onnxGraphs';
import { tmpDir } from '../fixtures/tmp';
import { modelDirOrSkip } from '../fixtures/whisper/helpers';

test('findDynamicQuantization: the operators of quantize_dynamic, found inside an If branch', () => {
  const dir = tmpDir('dynamic');
  const dynamic = path.join(dir, 'dynamic.onnx');
  const float = path.join(dir, 'float.onnx');
  fs.writeFileSync(dynamic, modelBytes(dynamicallyQuantizedModel()));
  fs.writeFileSync(float, modelBytes(ifModel()));
  assert.deepEqual(findDynamicQuantization(dynamic), ['MatMulInteger', 'DynamicQuantizeLinear']);
  assert.deepEqual(findDynamicQuantization(float), []);
});

test('findDynamicQuantization: none in the build’s weight-only graphs', (t) => {
  const base = modelDirOrSkip('tiny.en');
  if (base.skip) return t.skip(base.skip);
  for (const g of ['encoder_model_int8.onnx', 'decoder_model_merged_q4.onnx', 'decoder_model_merged.onnx'])
    assert.deepEqual(findDynamicQuantization(path.join(base.dir, 'onnx', g)), [], g);
});
