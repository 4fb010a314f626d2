// onnxruntime-node's run() and InferenceSession.create() hold the calling thread for their whole length, so a worker
// child sends no heartbeat meanwhile: one encoder window of large-v3-turbo took 22 s on 2 busy cores, longer than the
// 20 s of silence that counts as a hang, and the supervisor killed a healthy child three times. Around such a call the
// child says so (src/workers/serve.ts sends it to the engine), and the supervisor then waits longer for that call; a
// JavaScript loop that never yields is still found in 20 s. Libraries call `inNativeCall`; nothing else knows.

type Announce = (inside: boolean) => void;
let announce: Announce | undefined;
let depth = 0;

/** The worker entry's hook (one per process): told when the first native call starts and when the last one ends. */
export function onNativeCall(hook: Announce | undefined): void {
  announce = hook;
}

export async function inNativeCall<T>(call: () => Promise<T>): Promise<T> {
  if (depth++ === 0) announce?.(true);
  try {
    return await call();
  } finally {
    if (--depth === 0) announce?.(false);
  }
}
