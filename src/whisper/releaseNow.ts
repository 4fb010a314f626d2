// Each decoder step returns the whole self-attention cache as new arrays (45–50 MB a step for medium at ~230
// positions) and the previous step's arrays become garbage at once. V8 frees an array's memory only when it collects
// it, and its heuristics let hundreds of MB of such arrays pile up within a 30 s window (medium: 375 → 820 MB);
// collecting after every step costs 45 ms a step (docs/benchmarks.md). Transferring an ArrayBuffer detaches it: its
// memory moves into the message, and closing both ports drops the message, so the memory is freed when the event loop
// next turns (before the next decoder run, which onnxruntime-node starts from setImmediate), with no collection.
// Only an array that owns its whole buffer is released (a view would detach its siblings), and a buffer that cannot
// be transferred is left to the collector.
import { MessageChannel } from 'worker_threads';

/**
 * Frees a typed array's memory by the event loop's next turn. The caller must hold the only reference: the array is
 * empty afterwards.
 */
export function releaseNow(data: ArrayBufferView): void {
  const buffer = data.buffer;
  if (!(buffer instanceof ArrayBuffer) || data.byteOffset !== 0 || data.byteLength !== buffer.byteLength || buffer.byteLength === 0) return;
  const { port1, port2 } = new MessageChannel();
  try {
    port1.postMessage(buffer, [buffer]);
  } catch {
    // Not transferable (e.g. an external buffer): the collector frees it as before.
  } finally {
    port1.close();
    port2.close();
  }
}
