// What a stage handler may do besides answering, and the shape of a child's handlers. The handlers themselves are
// one file per child (capture.ts, transcription.ts, diarization.ts), so each child loads only its own libraries
// (capture never loads onnxruntime); the in-process runner loads all three (runner.ts).
import type { WorkerEvent, WorkerKind, WorkerMethod, WorkerParams, WorkerResult } from '../../protocol/worker';

export interface RequestContext {
  signal: AbortSignal;
  progress(percent: number): void;
  warn(message: string): void;
  /** Level meter readings, recording gaps. */
  event(event: WorkerEvent): void;
}

export type StageHandlers<K extends WorkerKind> = {
  [M in WorkerMethod<K>]: (params: WorkerParams<K, M>, ctx: RequestContext) => Promise<WorkerResult<K, M>>;
};
