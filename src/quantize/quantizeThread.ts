// The worker thread that quantizes a model folder for quantizeInWorker.ts (built as dist/quantize-thread.js): each
// tensor is quantized synchronously, up to 1.7 s for medium's token embedding, which would freeze the extension
// host's event loop if it ran there.
import { parentPort, workerData } from 'worker_threads';
import { toErrorInfo } from '../errors';
import { quantizeModelFolder } from './quantizeFolder';
import type { QuantizeThreadJob, QuantizeThreadMessage } from './quantizeThreadMessages';

const post = (m: QuantizeThreadMessage) => parentPort!.postMessage(m);
const job = workerData as QuantizeThreadJob;

quantizeModelFolder(job.dir, job.precision, {
  log: (line) => post({ type: 'log', line }),
  onProgress: (progress) => post({ type: 'progress', progress }),
}).then(
  (result) => post({ type: 'done', result }),
  (err: unknown) => post({ type: 'error', error: toErrorInfo(err), stack: err instanceof Error ? err.stack : undefined }),
);
