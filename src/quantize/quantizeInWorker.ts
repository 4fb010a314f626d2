// quantizeModelFolder in a worker thread (quantizeThread.ts), with the same arguments and result, its progress and log
// lines relayed: each tensor is quantized synchronously (the token embedding: 0.9 s for base, 1.7 s for medium), which
// in the extension host's thread would freeze every extension for that long.
// A cancel terminates the thread at once rather than after the tensor under way; the temporary files it was writing
// (`<file>.partial`, never trusted: a run writes them anew and renames them when whole) are then removed.
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { CancelledError, fromErrorInfo } from '../errors';
import { whisperOnnxFiles } from '../models/layout';
import { externalDataName, partialName } from '../onnx/saveExternal';
import type { QuantizeOptions, QuantizeResult } from './quantizeFolder';
import type { QuantizeThreadJob, QuantizeThreadMessage } from './quantizeThreadMessages';
import type { QuantizedPrecision } from './recipe';

/** Starts the thread: its bundle beside the bundle running this code (dist/), or the source beside this one (tests, tools). */
function startThread(job: QuantizeThreadJob): Worker {
  // Not the host's own flags (an extension host's, a debugger's): the thread needs none.
  if (path.extname(__filename) !== '.ts') return new Worker(path.join(__dirname, 'quantize-thread.js'), { workerData: job, execArgv: [] });
  // From the sources, under tsx. Node 20 does not apply `--import tsx` loader hooks to a worker's entry, so the entry
  // is required through tsx's CommonJS hook (the sources compile to CommonJS).
  const entry = path.join(__dirname, 'quantizeThread.ts');
  // tsx is found from this folder, whatever the working directory.
  const bootstrap = `require(require.resolve('tsx/cjs', { paths: [${JSON.stringify(__dirname)}] })); require(${JSON.stringify(entry)});`;
  return new Worker(bootstrap, { eval: true, workerData: job, execArgv: [] });
}

/** The temporary files of this precision's outputs (saveExternal.ts writes `<file>.partial` and `<file>_data.partial`). */
function partialFiles(dir: string, precision: QuantizedPrecision): string[] {
  return Object.values(whisperOnnxFiles(precision)).flatMap((relative) => {
    const output = path.join(dir, relative);
    return [partialName(output), partialName(path.join(path.dirname(output), externalDataName(output)))];
  });
}

function threadError(m: Extract<QuantizeThreadMessage, { type: 'error' }>): Error {
  const error = fromErrorInfo(m.error);
  if (m.error.kind === 'internal' && m.stack) error.stack = m.stack;
  return error;
}

export async function quantizeInWorker(dir: string, precision: QuantizedPrecision, options: QuantizeOptions = {}): Promise<QuantizeResult> {
  const { signal } = options;
  if (signal?.aborted) throw new CancelledError();
  const thread = startThread({ dir, precision });
  let cancel = () => {};
  let finished = false;
  try {
    const result = await new Promise<QuantizeResult>((resolve, reject) => {
      cancel = () => reject(new CancelledError());
      signal?.addEventListener('abort', cancel, { once: true });
      thread.on('message', (m: QuantizeThreadMessage) => {
        try {
          if (m.type === 'progress') options.onProgress?.(m.progress);
          else if (m.type === 'log') options.log?.(m.line);
          else if (m.type === 'done') resolve(m.result);
          else reject(threadError(m));
        } catch (e) {
          // A callback that throws fails the run, as it does in the calling thread.
          reject(e);
        }
      });
      thread.on('error', reject);
      thread.on('exit', (code) => reject(new Error(`the quantizer thread ended (exit code ${code}) without an answer`)));
    });
    finished = true;
    return result;
  } finally {
    signal?.removeEventListener('abort', cancel);
    // Stopped first: a file removed while the thread still wrote it could come back.
    await thread.terminate();
    if (!finished) await Promise.all(partialFiles(dir, precision).map((f) => fs.promises.rm(f, { force: true })));
  }
}
