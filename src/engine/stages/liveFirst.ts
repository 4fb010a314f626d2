// Live audio first: one process's Whisper runs, shared by live phrases and file jobs. A file job goes through the
// gate one onnxruntime run at a time (an encoder run, a decoder step); a live request (a dictated or meeting
// phrase, or its partial text) holds the gate for its whole decoding. While a live request waits or runs, the file
// job's next run waits; the run it already has in flight is let finish first, so the live request gets every core
// instead of sharing them with a 30-second encoder run. Between a live request's own runs (its token choices) the
// file job does not slip in: that would cost the phrase a whole encoder run at every step.
//
// Nothing of the file job is lost, repeated or reordered: its runs are only delayed, so its transcript is the one an
// undisturbed run gives. onnxruntime cannot pause a run once started, so a live request waits at most one file run
// (an encoder run on a 30 s window, the longest). A file job's speech detection, in a thread of its own before its
// Whisper windows, pauses between blocks while live requests run (waitWhileLive).

export class LiveFirstGate {
  /** Live requests waiting or running. */
  private liveCount = 0;
  /** The file runs in flight (one, unless two file jobs share the process). */
  private readonly fileRuns = new Set<Promise<unknown>>();
  /** File runs waiting for the live requests to end. */
  private waiting: (() => void)[] = [];
  /** The count of live requests, shared with speech-detection threads (waitWhileLive). */
  readonly liveNow = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));

  /** Runs a live request ahead of every file run not yet started. */
  async live<T>(work: () => Promise<T>): Promise<T> {
    this.liveCount++;
    Atomics.store(this.liveNow, 0, this.liveCount);
    try {
      await Promise.allSettled([...this.fileRuns]);
      return await work();
    } finally {
      this.liveCount--;
      Atomics.store(this.liveNow, 0, this.liveCount);
      if (this.liveCount === 0) {
        Atomics.notify(this.liveNow, 0);
        this.wakeFileRuns();
      }
    }
  }

  /** One onnxruntime run of a file job: starts once no live request is waiting or running. */
  async fileRun<T>(run: () => Promise<T>): Promise<T> {
    while (this.liveCount > 0) await new Promise<void>((resolve) => this.waiting.push(resolve));
    const running = run();
    this.fileRuns.add(running);
    try {
      return await running;
    } finally {
      this.fileRuns.delete(running);
    }
  }

  /** Live requests waiting or running (status and tests). */
  get liveRequests(): number {
    return this.liveCount;
  }

  private wakeFileRuns(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }
}

/**
 * Blocks the calling thread while live requests run (a worker thread's synchronous wait: never call it on a process's
 * main thread, whose event loop the live requests need). Wakes when the count falls to 0, or every 100 ms to look again.
 */
export function waitWhileLive(liveNow: Int32Array): void {
  for (let live = Atomics.load(liveNow, 0); live > 0; live = Atomics.load(liveNow, 0)) Atomics.wait(liveNow, 0, live, 100);
}

/** The gate of this process: its transcription stage serves live phrases and file jobs with the same cores. */
export const liveFirst = new LiveFirstGate();
