// The two runners of the stages: in supervised child processes (each request goes to its child, which may crash,
// be restarted and get the request again), or here, in this process (--in-process, and the tests that drive
// the library path). Both run the handlers of handlers.ts; the pipeline (../pipeline.ts) sees only this interface.
import type { WorkerKind, WorkerMethod, WorkerParams, WorkerResult } from '../../protocol/worker';
import type { Supervisor } from '../supervisor';
import type { RequestHooks } from '../workerProcess';
import type { RequestContext, StageHandlers } from './handlers';

export interface StageRunner {
  run<K extends WorkerKind, M extends WorkerMethod<K>>(kind: K, method: M, params: WorkerParams<K, M>, hooks?: RequestHooks): Promise<WorkerResult<K, M>>;
  /** Stops a child that the job no longer needs (its memory goes back; a later request starts it again). */
  release(kind: WorkerKind): Promise<void>;
  /** Releases what the runner itself holds (the in-process models; a supervisor is disposed of by its owner). */
  dispose(): Promise<void>;
}

export function supervisedRunner(sup: Supervisor): StageRunner {
  return {
    run: (kind, method, params, hooks = {}) =>
      // The union of the three WorkerProcess types is not callable as one: each is typed by its own kind.
      (sup[kind] as unknown as { request(m: string, p: unknown, h: RequestHooks): Promise<never> }).request(method, params, hooks),
    release: (kind) => sup[kind].release(),
    dispose: async () => undefined, // the supervisor's owner disposes of it
  };
}

/**
 * The handlers of one stage, loaded on first use and only for that stage: a supervised engine (the CLI's default)
 * never loads them, so onnxruntime and the models stay in the children, and the engine's MFCC fallback for
 * diarization does not pull in Whisper.
 */
function handlersOf<K extends WorkerKind>(kind: K): StageHandlers<K> {
  switch (kind) {
    case 'capture':
      return (require('./capture') as typeof import('./capture')).captureHandlers as StageHandlers<K>;
    case 'transcription':
      return (require('./transcription') as typeof import('./transcription')).transcriptionHandlers as StageHandlers<K>;
    default:
      return (require('./diarization') as typeof import('./diarization')).diarizationHandlers as StageHandlers<K>;
  }
}

export function inProcessRunner(): StageRunner {
  return {
    run(kind, method, params, hooks = {}) {
      const ctx: RequestContext = {
        signal: hooks.signal ?? new AbortController().signal,
        progress: (p) => hooks.onProgress?.(p),
        warn: (m) => hooks.onWarning?.(m),
        event: (e) => hooks.onEvent?.(e),
      };
      const handler = (handlersOf(kind) as unknown as Record<string, (p: unknown, c: RequestContext) => Promise<never>>)[method];
      return handler(params, ctx);
    },
    release: async () => undefined,
    dispose: () => (require('./modelCache') as typeof import('./modelCache')).models.dispose(),
  };
}
