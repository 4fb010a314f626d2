// The transcription child ↔ its speech-detection thread (src/workers/speechThread.ts). The thread gets its job as
// workerData and answers with progress, then one result or one error; the child terminates it to cancel.
import type { ErrorInfo } from '../errors';
import type { SpeechRegion } from '../vocabulary';
import type { SpeechParams } from './worker';

/**
 * The thread's job: the transcription child's `speech` request, passed on as it came, and the count of live requests
 * the child is serving (shared memory): the thread pauses while it is above 0, so live phrases get the cores.
 */
export type SpeechThreadJob = SpeechParams & { liveNow?: Int32Array };

export type SpeechThreadMessage = { type: 'progress'; percent: number } | { type: 'regions'; regions: SpeechRegion[] } | { type: 'error'; error: ErrorInfo };
