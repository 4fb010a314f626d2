// How many cores a job may use, and how they are split between the stages that run side by side.
//
// `threads` has one meaning everywhere (CLI --threads, setting transcrevai.threads, the engine's requests): the
// cores a job may use. Unset, it is the core budget max(1, cpus − 2), which leaves two cores to the editor and
// the OS. Whisper gets that many intra-op threads. When speakers are labelled, diarization runs beside it on the
// same cores (the children are pinned to them: affinity.ts) with half as many threads: it is a tenth of Whisper's
// work, so halving Whisper for its whole run would waste the cores once diarization is done (measured on the 330 s
// meeting, 2 cores: an even 1 + 1 split took 14.9 s, 2 + 1 sharing the 2 cores 11.2 s).
import * as os from 'os';
import { allowedCores } from './affinity';

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

/**
 * `threads` (undefined = the core budget) → each stage's intra-op threads; never 0, never more than the cores
 * this process may run on (`available`): 256 threads on 2 cores starved the children's heartbeats until the
 * watchdog killed them, and no job is faster with more threads than cores.
 */
export function threadSplit(threads: number | undefined, budget = coreBudget(), available = allowedCores().length): ThreadSplit {
  const cores = Math.max(1, Math.min(threads ?? budget, available));
  return { cores, transcription: cores, diarization: Math.max(1, Math.floor(cores / 2)) };
}

/** What the user is told when `threads` asks for more cores than there are (undefined when it does not). */
export function threadsWarning(threads: number | undefined, available = allowedCores().length): string | undefined {
  return threads !== undefined && threads > available
    ? `${threads} threads asked for, but this process may use ${available} core${available === 1 ? '' : 's'}: using ${available}.`
    : undefined;
}
