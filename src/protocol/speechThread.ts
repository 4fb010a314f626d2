// The transcription child ↔ its speech-detection thread (src/workers/speechThread.ts). The thread gets its job as
// workerData and answers with progress, then one result or one error; the child terminates it to cancel.
import type { ErrorInfo } from '../errors';
import type { SpeechRegion } from '../vocabulary';
import type { SpeechParams } from './worker';

/** The thread's job: the transcription child's `speech` request, passed on as it came. */
export type SpeechThreadJob = SpeechParams;

export type SpeechThreadMessage = { type: 'progress'; percent: number } | { type: 'regions'; regions: SpeechRegion[] } | { type: 'error'; error: ErrorInfo };
