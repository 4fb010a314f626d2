// EngineClient: the one way to talk to the engine process (extension host, tests, tools). Vscode-free.
// Forks dist/engine.js, waits for `ready`, keeps a map of pending requests by id, routes notifications,
// turns an engine death into EngineCrashedError for every pending request, and shuts down politely
// (shutdown request, then SIGKILL after 2 s).
import { fork, type ChildProcess, type StdioOptions } from 'child_process';
import { CancelledError, fromErrorInfo, TranscrevError } from '../errors';
import type { ProgressListener } from '../progress';
import { startProgram } from '../startProgram';
import type { LiveEvent, LiveResult, LiveStartParams } from '../protocol/client';
import type { EngineNotification, EngineToClient, RequestMap, RequestMessage, RequestMethod, TranscribeParams } from '../protocol/client';
import type { Transcript } from '../transcript';

/** The engine process died (crash, kill, out of memory) while requests were pending, or before `ready`. */
export class EngineCrashedError extends TranscrevError {
  constructor(
    message: string,
    readonly processExitCode: number | null = null,
    readonly processSignal: NodeJS.Signals | null = null,
  ) {
    super('internal', message);
    this.name = 'EngineCrashedError';
  }
}

export interface EngineClientOptions {
  /** Path of dist/engine.js. */
  enginePath: string;
  env?: NodeJS.ProcessEnv;
  execArgv?: string[];
  /** Default: stdin ignored, stdout/stderr inherited. Use 'pipe' to collect the engine's own output. */
  stdio?: StdioOptions;
  /** How long to wait for `ready` (default 20 s). */
  startTimeoutMs?: number;
}

export interface TranscribeHooks {
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  onWarning?: (message: string) => void;
}

interface Pending {
  method: RequestMethod;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

type Listener = (notification: EngineNotification) => void;

export interface LiveHandle {
  sessionId: string;
  /** The recording's path (deleted at stop for dictation, unless kept). */
  recording: string;
  /** Dictation: the text before the cursor, read after the session's first `phrases` final phrases were handled. */
  setContext(before: string, phrases: number): Promise<void>;
  stop(): Promise<LiveResult>;
}

const KILL_AFTER_MS = 2000;

export class EngineClient {
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<Listener>();
  private readonly exitListeners = new Set<(error: EngineCrashedError | null) => void>();
  private seq = 0;
  private exited = false;
  private disposing = false;
  private exitPromise: Promise<void>;
  /** Milliseconds from process start to `ready`, as measured by the engine. */
  startupMs = 0;

  private constructor(readonly child: ChildProcess) {
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = true;
        const error = this.disposing
          ? null
          : new EngineCrashedError(`The TranscrevAI engine stopped unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`}).`, code, signal);
        const reason = error ?? new EngineCrashedError('The TranscrevAI engine was shut down.', code, signal);
        for (const [id, p] of this.pending) {
          this.pending.delete(id);
          p.reject(new EngineCrashedError(`${reason.message.replace(/\.$/, '')} while handling "${p.method}"; the request was lost.`, code, signal));
        }
        for (const l of this.exitListeners) l(error);
        resolve();
      });
    });
    child.on('message', (message: EngineToClient) => this.dispatch(message));
    child.on('error', () => {
      /* surfaced through 'exit' */
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.exited;
  }

  /** Forks the engine and resolves once it has sent `ready`. */
  static start(options: EngineClientOptions): Promise<EngineClient> {
    let child: ChildProcess;
    try {
      child = startProgram(
        {
          name: 'The TranscrevAI engine',
          path: `${process.execPath} ${options.enginePath}`,
          fix: 'Reinstall the TranscrevAI extension; an antivirus may be blocking Node.',
        },
        () =>
          fork(options.enginePath, [], {
            env: options.env ?? process.env,
            execArgv: options.execArgv ?? [],
            stdio: options.stdio ?? ['ignore', 'inherit', 'inherit', 'ipc'],
            serialization: 'json',
          }),
      );
    } catch (err) {
      return Promise.reject(new EngineCrashedError((err as Error).message));
    }
    const client = new EngineClient(child);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        child.kill('SIGKILL');
        reject(new EngineCrashedError(`The TranscrevAI engine did not start within ${options.startTimeoutMs ?? 20000} ms.`));
      }, options.startTimeoutMs ?? 20000);
      const onMessage = (m: EngineToClient) => {
        if (m.type !== 'ready') return;
        cleanup();
        client.startupMs = m.startupMs;
        resolve(client);
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        cleanup();
        reject(
          new EngineCrashedError(
            `The TranscrevAI engine failed to start (${signal ? `signal ${signal}` : `exit code ${code}`}): ${options.enginePath}`,
            code,
            signal,
          ),
        );
      };
      const onError = (err: Error) => {
        cleanup();
        reject(new EngineCrashedError(err.message));
      };
      const cleanup = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        child.off('error', onError);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.once('error', onError);
    });
  }

  private dispatch(message: EngineToClient): void {
    if (!message || typeof message !== 'object') return;
    if (message.type === 'response') {
      const p = this.pending.get(message.id);
      if (!p) return; // e.g. the caller already gave up (cancelled)
      this.pending.delete(message.id);
      if (message.ok) p.resolve(message.result);
      else p.reject(fromErrorInfo(message.error));
      return;
    }
    for (const l of this.listeners) {
      try {
        l(message);
      } catch {
        /* a listener's failure is not the engine's */
      }
    }
  }

  /** Subscribes to notifications (ready, progress, warning, log). */
  onNotification(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Called once when the engine process exits: with the crash error, or null after dispose(). */
  onExit(listener: (error: EngineCrashedError | null) => void): { dispose(): void } {
    this.exitListeners.add(listener);
    return { dispose: () => this.exitListeners.delete(listener) };
  }

  private nextId(): string {
    return `r${++this.seq}`;
  }

  private send<M extends RequestMethod>(
    id: string,
    method: M,
    params: RequestMap[M]['params'],
    settle?: { resolve: (v: RequestMap[M]['result']) => void; reject: (e: Error) => void },
  ): Promise<RequestMap[M]['result']> {
    return new Promise((resolve, reject) => {
      const res = settle?.resolve ?? resolve;
      const rej = (e: Error) => (settle ? settle.reject(e) : reject(e));
      if (this.exited || !this.child.connected) {
        rej(new EngineCrashedError(`The TranscrevAI engine is not running; cannot send "${method}".`));
        return;
      }
      this.pending.set(id, { method, resolve: res as (v: unknown) => void, reject: rej });
      const message: RequestMessage<M> = { type: 'request', id, method, params };
      this.child.send(message, (err) => {
        if (err && this.pending.delete(id)) rej(new EngineCrashedError(`Cannot reach the TranscrevAI engine: ${err.message}`));
      });
    });
  }

  request<M extends RequestMethod>(method: M, params: RequestMap[M]['params']): Promise<RequestMap[M]['result']> {
    return this.send(this.nextId(), method, params);
  }

  /** Runs a transcription job. Aborting the signal cancels it in the engine and rejects with CancelledError. */
  transcribe(params: TranscribeParams, hooks: TranscribeHooks = {}): Promise<Transcript> {
    const { signal, onProgress, onWarning } = hooks;
    if (signal?.aborted) return Promise.reject(new CancelledError());
    const id = this.nextId();
    const sub =
      onProgress || onWarning
        ? this.onNotification((n) => {
            if (n.type === 'progress' && n.jobId === id) onProgress?.(n.progress);
            else if (n.type === 'warning' && n.jobId === id) onWarning?.(n.message);
          })
        : undefined;
    return new Promise<Transcript>((resolve, reject) => {
      const done = () => {
        signal?.removeEventListener('abort', onAbort);
        sub?.dispose();
      };
      const onAbort = () => {
        const p = this.pending.get(id);
        if (!p) return;
        this.pending.delete(id);
        this.request('cancel', { jobId: id }).catch(() => undefined);
        p.reject(new CancelledError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      // Whatever settles the job (result, error, abort, crash) removes the listeners.
      void this.send(id, 'transcribe', params, {
        resolve: (v) => {
          done();
          resolve(v);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      });
    });
  }

  /**
   * Starts a live session (dictation or meeting). Events arrive through `onEvent` from the start, level
   * readings included; the returned handle stops it and resolves with the whole transcript.
   */
  async startLive(params: LiveStartParams, onEvent: (event: LiveEvent) => void): Promise<LiveHandle> {
    const id = this.nextId();
    const sub = this.onNotification((n) => {
      if (n.type === 'live' && n.sessionId === id) onEvent(n.event);
    });
    let started: { sessionId: string; recording: string };
    try {
      started = await this.send(id, 'live.start', params);
    } catch (err) {
      sub.dispose();
      throw err;
    }
    return {
      ...started,
      setContext: async (before, phrases) => {
        await this.request('live.context', { sessionId: started.sessionId, before, phrases });
      },
      stop: async () => {
        try {
          return await this.request('live.stop', { sessionId: started.sessionId });
        } finally {
          sub.dispose();
        }
      },
    };
  }

  /** Asks the engine to shut down; kills it if it has not exited after 2 s. Safe to call twice. */
  async dispose(): Promise<void> {
    if (this.exited) return;
    this.disposing = true;
    this.request('shutdown', {}).catch(() => undefined);
    const timer = setTimeout(() => {
      if (!this.exited) this.child.kill('SIGKILL');
    }, KILL_AFTER_MS);
    await this.exitPromise;
    clearTimeout(timer);
  }
}
