// What loading a Whisper model leaves resident. The load runs one decoder step to prove the quantized graphs run (a
// graph can load and still fail at its first run); that step once took a whole window's encoder output, and its
// cross-attention cache (37 MB for base, 295 MB for medium) stayed resident in the allocator after it was freed:
// medium int8 held 1,290 MB after loading instead of 783 MB. Alone in its process (node --test runs each file in its
// own), so the figure is this load's.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { loadWhisperModel } from '../../src/whisper/index';
import { modelDirOrSkip } from '../fixtures/whisper/helpers';

const model = modelDirOrSkip(process.env.TRANSCREVAI_TEST_MODEL ?? 'base');
/**
 * Resident memory a load may add beyond the bytes of the int8 graphs and their weights: the tokenizer, onnxruntime's
 * own buffers, the step's small outputs. Measured on base: 46 MB with the one-position step, 123 MB with the
 * whole-window step it replaced.
 */
const BEYOND_WEIGHTS_MB = 85;

const residentMb = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;

test('loading int8 keeps the weights and little else resident', { skip: model.skip || (process.platform !== 'linux' && 'reads /proc') }, async () => {
  const onnx = path.join(model.dir, 'onnx');
  const weights = fs
    .readdirSync(onnx)
    .filter((f) => /^(encoder_model|decoder_model_merged)_int8\.onnx(_data)?$/.test(f))
    .reduce((sum, f) => sum + fs.statSync(path.join(onnx, f)).size, 0);
  const before = residentMb();
  const m = await loadWhisperModel(model.dir, { precision: 'int8', threads: 2 });
  const added = residentMb() - before;
  assert.equal(m.precision, 'int8');
  await m.dispose();
  const beyond = added - weights / 2 ** 20;
  assert.ok(
    beyond <= BEYOND_WEIGHTS_MB,
    `loading added ${added.toFixed(0)} MB for ${(weights / 2 ** 20).toFixed(0)} MB of weights: ${beyond.toFixed(0)} MB beyond them`,
  );
});
