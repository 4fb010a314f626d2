// quantizeInWorker, the downloader's quantizer (the extension host's thread must not stop for a tensor's worth of
// quantization): it writes what quantizeModelFolder writes in the calling thread, with the same progress and log
// lines; a cancel stops the thread mid-run, rejects with CancelledError and leaves neither output nor temporary file;
// stale temporary files of a killed run are written over; errors cross the thread with their kind (CLI exit codes).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { CancelledError, TranscrevError } from '../../src/errors';
import { quantizeInWorker, quantizeModelFolder, type QuantizeProgress } from '../../src/quantize';
import { writeToyWhisperFolder } from '../fixtures/onnxGraphs';
import { tmpDir } from '../fixtures/tmp';

const filesOf = (dir: string) => fs.readdirSync(path.join(dir, 'onnx')).sort();
const sameFile = (a: string, b: string) => fs.readFileSync(a).equals(fs.readFileSync(b));
/** Log lines but the last, which gives the run's time. */
const untimed = (log: string[]) => log.filter((l) => !/ written in [\d.]+ s$/.test(l));

test('quantizeInWorker writes the bytes quantizeModelFolder writes, with the same progress and log lines', async () => {
  const inThread = writeToyWhisperFolder(tmpDir('quantize-thread'));
  const inWorker = writeToyWhisperFolder(tmpDir('quantize-worker'));
  // A killed run's temporary files, longer than the outputs: written over (truncated), never trusted.
  for (const f of ['decoder_model_merged_int8.onnx.partial', 'decoder_model_merged_int8.onnx_data.partial'])
    fs.writeFileSync(path.join(inWorker, 'onnx', f), Buffer.alloc(1 << 20, 7));
  const runs = await Promise.all(
    [
      [inThread, quantizeModelFolder],
      [inWorker, quantizeInWorker],
    ].map(async ([dir, quantize]) => {
      const log: string[] = [];
      const progress: QuantizeProgress[] = [];
      const result = await (quantize as typeof quantizeModelFolder)(dir as string, 'int8', { log: (l) => log.push(l), onProgress: (p) => progress.push(p) });
      return { result, log, progress };
    }),
  );
  const [thread, worker] = runs;
  assert.deepEqual(worker.result.written, thread.result.written);
  assert.deepEqual(worker.progress, thread.progress);
  assert.deepEqual(untimed(worker.log), untimed(thread.log));
  assert.deepEqual(filesOf(inWorker), filesOf(inThread));
  for (const f of worker.result.written) assert.ok(sameFile(path.join(inWorker, f), path.join(inThread, f)), `${f} differs`);
});

test('quantizeInWorker: a cancel mid-write rejects with CancelledError and leaves no output of the graph under way', async () => {
  // Weights large enough (35 MB of floats: half a second of work) that the decoder is still being written when the cancel arrives.
  const dir = writeToyWhisperFolder(tmpDir('quantize-worker-cancel'), { vocab: 8192, dModel: 512, heads: 2 });
  const partialData = path.join(dir, 'onnx', 'decoder_model_merged_int8.onnx_data.partial');
  const controller = new AbortController();
  let cancelledWhileWriting = false;
  const run = quantizeInWorker(dir, 'int8', {
    signal: controller.signal,
    onProgress: () => {
      // Once the decoder's temporary data file is being written: the cancel must remove it.
      if (!cancelledWhileWriting && fs.existsSync(partialData)) {
        cancelledWhileWriting = true;
        controller.abort();
      }
    },
  });
  await assert.rejects(run, (e) => e instanceof CancelledError);
  assert.ok(cancelledWhileWriting);
  // The encoder was whole before the decoder began: it stays (a later run skips it); the decoder left nothing.
  assert.deepEqual(filesOf(dir), ['decoder_model_merged.onnx', 'encoder_model.onnx', 'encoder_model_int8.onnx', 'encoder_model_int8.onnx_data']);

  const rest = await quantizeInWorker(dir, 'int8');
  assert.deepEqual(rest.written, ['onnx/decoder_model_merged_int8.onnx_data', 'onnx/decoder_model_merged_int8.onnx']);

  const early = new AbortController();
  early.abort();
  await assert.rejects(quantizeInWorker(dir, 'q4', { signal: early.signal }), (e) => e instanceof CancelledError);
  assert.ok(!filesOf(dir).some((f) => f.includes('_q4') || f.endsWith('.partial')));
});

test('quantizeInWorker: a missing or truncated float graph is a model error (exit code 4), as in the calling thread', async () => {
  const missing = writeToyWhisperFolder(tmpDir('quantize-worker-missing'));
  fs.rmSync(path.join(missing, 'onnx', 'encoder_model.onnx'));
  const truncated = writeToyWhisperFolder(tmpDir('quantize-worker-truncated'));
  const decoder = path.join(truncated, 'onnx', 'decoder_model_merged.onnx');
  fs.truncateSync(decoder, fs.statSync(decoder).size - 100);
  for (const [dir, message] of [
    [missing, /encoder_model\.onnx: the float graph to quantize is missing/],
    [truncated, /decoder_model_merged\.onnx: not a readable ONNX graph \(.*\); download the model again/],
  ] as const) {
    for (const quantize of [quantizeModelFolder, quantizeInWorker]) {
      await assert.rejects(quantize(dir, 'int8'), (e) => e instanceof TranscrevError && e.kind === 'model' && e.exitCode === 4 && message.test(e.message));
    }
  }
});
