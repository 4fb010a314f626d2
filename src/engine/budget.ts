// How many cores a job may use, and how they are split between the stages that run side by side.
//
// `threads` has one meaning everywhere (CLI --threads, setting transcrevai.threads, the engine's requests): the
// cores a job may use. Unset, it is the core budget max(1, cpus − 2), which leaves two cores to the editor and
// the OS. When speakers are labelled, Whisper and diarization run side by side and split those cores; alone,
// Whisper takes them all. Each stage's share is its onnxruntime intra-op thread count.
import * as os from 'os';

export function coreBudget(): number {
  const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, cpus - 2);
}

export interface ThreadSplit {
  /** The cores the job may use (the `threads` option, else the core budget). */
  cores: number;
  transcription: number;
  diarization: number;
}

/** `threads` (undefined = the core budget) → each stage's intra-op threads; never 0. */
export function threadSplit(threads: number | undefined, diarizing: boolean, budget = coreBudget()): ThreadSplit {
  const cores = threads ?? budget;
  const diarization = Math.max(1, Math.floor(cores / 2));
  return { cores, transcription: diarizing ? Math.max(1, cores - diarization) : cores, diarization };
}
