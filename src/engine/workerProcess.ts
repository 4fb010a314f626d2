// One supervised child process (capture, transcription or diarization): forks its entry, answers requests by
// id, watches its heartbeat, and restarts it when it exits, is killed or hangs. The request it held is sent
// again to the new process (its inputs are on disk), so a crash costs time, never text. Restarts are counted
// per request: past the limit the request fails with a clear message and the next request starts afresh.
import { fork, type ChildProcess } from 'child_process';
import { CancelledError, fromErrorInfo, TranscrevError } from '../errors';
import { startProgram } from '../startProgram';
import { applyAffinity } from './affinity';
import type {
  ChildStatus,
  EngineToWorker,
  WorkerEvent,
  WorkerKind,
  WorkerMethod,
  WorkerParams,
  WorkerResult,
  WorkerToEngine,
  WorkerVitals,
} from '../protocol/worker';

export interface WorkerOptions {
  /** Restarts allowed while one request is outstanding (capture 5, others 3). */
  maxRestarts: number;
  heartbeatMs?: number;
  /** Heartbeats missed before the child counts as hung and is killed (default 10: 20 s at 2 s). */
  missedBeats?: number;
  env?: NodeJS.ProcessEnv;
  /** Called with each restart, for logs and the UI. */
  onEvent?: (message: string) => void;
  /** Cores to pin the child to after each start (best-effort; see affinity.ts). */
  affinity?: number[];
  /** How long a child may take to say `ready` before it counts as hung (default 20 s). */
  startTimeoutMs?: number;
}

/**
 * How the children run Node. Measured on the 330 s meeting, base int8, 2 threads on 2 cores:
 * - --expose-gc: a child collects after each window and each request (collectGarbage), so decoding's short-lived
 *   arrays and a finished job's audio do not pile up (transcription child 526 → 460 MB);
 * - --single-threaded-gc: V8's parallel and concurrent collector threads otherwise compete with onnxruntime's
 *   intra-op threads for the job's cores: decoder steps took 9–10 ms instead of 6 ms at long contexts (decoding
 *   6.5 → 5.0 s).
 */
const CHILD_NODE_FLAGS = ['--expose-gc', '--single-threaded-gc'];
/**
 * glibc malloc with one arena: onnxruntime's worker threads otherwise each keep an arena of freed activations
 * (transcription child 460 → 418 MB on the meeting, same speed). Ignored by other C libraries.
 */
const CHILD_ENV: NodeJS.ProcessEnv = { MALLOC_ARENA_MAX: '1' };

export interface RequestHooks {
  signal?: AbortSignal;
  onProgress?: (percent: number) => void;
  onWarning?: (message: string) => void;
  onEvent?: (event: WorkerEvent) => void;
}

export type WorkerStatus = ChildStatus;

interface Pending {
  method: string;
  params: unknown;
  hooks: RequestHooks;
  restarts: number;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

const START_TIMEOUT_MS = 20_000;
/**
 * Silence that counts as a hang. Long stretches of synchronous work (clustering an hour of speaker windows)
 * delay heartbeats by seconds; 10 missed beats (20 s) tells a hang from that with room to spare.
 */
const DEFAULT_MISSED_BEATS = 10;
/**
 * Silence that counts as a hang while the child is inside a native call (an onnxruntime run or model load holds its
 * event loop: src/nativeRun.ts). One encoder window of the largest catalogue model on one slow core stays well within.
 */
const NATIVE_CALL_LIMIT_MS = 10 * 60_000;

/** A child crashed (or hung) more often than its restart limit allows while holding one request. */
export class ChildFailedError extends TranscrevError {
  constructor(
    readonly child: WorkerKind,
    message: string,
  ) {
    super('internal', message);
    this.name = 'ChildFailedError';
  }
}

/** The child died before `ready`: onExit restarts it like any other crash, so the request is not failed here. */
class ExitedWhileStarting extends TranscrevError {}
const MAX_BACKOFF_MS = 2000;
const REINSTALL_FIX = 'Reinstall the TranscrevAI extension (or rebuild dist/ with "npm run build"); an antivirus may be blocking Node.';

export class WorkerProcess<K extends WorkerKind> {
  private child?: ChildProcess;
  private ready?: Promise<void>;
  private readonly pending = new Map<string, Pending>();
  private seq = 0;
  private lastBeat = 0;
  /** The child said it is inside a native call (its heartbeats wait for it to end). */
  private inNativeCall = false;
  private watchdog?: NodeJS.Timeout;
  private vitals?: WorkerVitals;
  private peakRss = 0;
  private totalRestarts = 0;
  private state: WorkerStatus['state'] = 'stopped';
  private disposed = false;
  private affinity?: string;
  /** Children killed because they did not start in time, so their exit is reported as that. */
  private readonly startTimedOut = new WeakSet<ChildProcess>();
  /** The signal a child said it was killing itself with (serve.ts's crash fault), for platforms that lose it. */
  private readonly dying = new WeakMap<ChildProcess, NodeJS.Signals>();

  constructor(
    readonly kind: K,
    private readonly entry: string,
    private readonly options: WorkerOptions,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  status(): WorkerStatus {
    return {
      kind: this.kind,
      pid: this.child?.pid,
      state: this.state,
      restarts: this.totalRestarts,
      vitals: this.vitals,
      peakRss: this.peakRss || undefined,
      affinity: this.affinity,
    };
  }

  /** Starts the child if it is not running; resolves once it said `ready`. */
  start(): Promise<void> {
    if (this.disposed) return Promise.reject(new TranscrevError('internal', `the ${this.kind} process is shut down`));
    if (this.ready) return this.ready;
    let child: ChildProcess;
    try {
      child = startProgram({ name: `the ${this.kind} process`, path: `${process.execPath} ${this.entry}`, fix: REINSTALL_FIX }, () =>
        fork(this.entry, [], {
          env: { ...process.env, ...CHILD_ENV, ...this.options.env },
          execArgv: [...process.execArgv.filter((a) => !a.startsWith('--inspect')), ...CHILD_NODE_FLAGS],
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          serialization: 'advanced',
        }),
      );
    } catch (err) {
      return Promise.reject(err);
    }
    this.state = 'starting';
    this.child = child;
    this.ready = new Promise<void>((resolve, reject) => {
      // A child that never says `ready` is hung like one that stops beating: killed, and restarted by onExit
      // within the request's restart limit. Rejecting without the kill left it running and this.ready rejected
      // for good, so every later request failed.
      const startTimeoutMs = this.options.startTimeoutMs ?? START_TIMEOUT_MS;
      const timer = setTimeout(() => {
        this.startTimedOut.add(child);
        this.options.onEvent?.(`${this.kind} process ${child.pid} did not start within ${startTimeoutMs / 1000} s: killing it`);
        child.kill('SIGKILL');
      }, startTimeoutMs);
      child.once('exit', () => {
        clearTimeout(timer);
        reject(new ExitedWhileStarting('internal', `the ${this.kind} process exited while starting`));
      });
      // A start that fails after fork() returned (no pid) ends without 'exit': the waiting requests get the error
      // (startProgram's, naming the process), and the next request tries a new start.
      child.once('error', (err) => {
        if (child.pid !== undefined) return;
        clearTimeout(timer);
        if (this.child === child) {
          this.child = undefined;
          this.ready = undefined;
          this.state = 'stopped';
        }
        reject(err);
      });
      child.on('message', (m: WorkerToEngine) => {
        if (m.type === 'dying') this.dying.set(child, m.signal);
        if (m.type === 'ready') {
          clearTimeout(timer);
          this.lastBeat = Date.now();
          this.inNativeCall = false;
          this.state = this.pending.size ? 'busy' : 'idle';
          resolve();
        }
        this.dispatch(m);
      });
    });
    this.ready.catch(() => undefined);
    // Applied to every new process (a restarted child starts unpinned); the outcome is reported, never fatal.
    this.ready.then(
      () => this.pin(child),
      () => undefined,
    );
    child.on('exit', (code, signal) => {
      // On Windows a process killed by itself exits with code 1 and no signal: a child that said it was dying is
      // reported as killed from its last words, which may still be in the channel when 'exit' comes. The
      // channel's end ('disconnect') comes after them, or at once when they were already read.
      if (signal || !child.connected) return this.onExit(child, code, signal);
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.onExit(child, code, signal);
      };
      const timer = setTimeout(finish, 1000);
      child.once('disconnect', finish);
    });
    const beat = this.options.heartbeatMs ?? 2000;
    clearInterval(this.watchdog);
    let lastTick = Date.now();
    this.watchdog = setInterval(() => {
      const now = Date.now();
      // If this process was itself stalled (its event loop busy), the child's beats are waiting unread in
      // the channel: that silence is ours, not the child's, so it does not count.
      if (now - lastTick > 2 * beat) this.lastBeat = Math.max(this.lastBeat, now);
      lastTick = now;
      if (this.state === 'starting' || this.child !== child) return;
      const limit = this.inNativeCall ? NATIVE_CALL_LIMIT_MS : beat * (this.options.missedBeats ?? DEFAULT_MISSED_BEATS);
      if (now - this.lastBeat > limit) {
        this.options.onEvent?.(`${this.kind} process ${child.pid} missed ${this.options.missedBeats ?? DEFAULT_MISSED_BEATS} heartbeats: killing it`);
        child.kill('SIGKILL');
      }
    }, beat);
    this.watchdog.unref();
    return this.ready;
  }

  /** Pins this child (now and after every restart) to `cores`. */
  async setAffinity(cores: number[]): Promise<void> {
    if (this.options.affinity?.join() === cores.join()) return;
    this.options.affinity = cores;
    if (this.child && this.state !== 'starting') await this.pin(this.child);
  }

  private async pin(child: ChildProcess): Promise<void> {
    const cores = this.options.affinity;
    if (!cores?.length || child.pid === undefined) return;
    const what = await applyAffinity(child.pid, cores);
    if (this.child !== child) return;
    this.affinity = what;
    if (what.startsWith('not applied')) this.options.onEvent?.(`${this.kind} affinity ${what}`);
  }

  request<M extends WorkerMethod<K>>(method: M, params: WorkerParams<K, M>, hooks: RequestHooks = {}): Promise<WorkerResult<K, M>> {
    return new Promise((resolve, reject) => {
      if (hooks.signal?.aborted) return reject(new CancelledError());
      const id = String(++this.seq);
      const p: Pending = { method, params, hooks, restarts: 0, resolve: resolve as (v: unknown) => void, reject };
      this.pending.set(id, p);
      hooks.signal?.addEventListener('abort', () => this.post({ type: 'cancel', id }), { once: true });
      void this.dispatchRequest(id, p);
    });
  }

  private async dispatchRequest(id: string, p: Pending): Promise<void> {
    try {
      await this.start();
    } catch (err) {
      if (!(err instanceof ExitedWhileStarting) && this.pending.delete(id)) p.reject(err as Error);
      return;
    }
    if (!this.pending.has(id)) return;
    if (p.hooks.signal?.aborted) {
      // cancelled while the child was (re)starting: the cancel message had nobody to go to
      this.pending.delete(id);
      p.reject(new CancelledError());
      return;
    }
    this.state = 'busy';
    this.post({ type: 'request', id, method: p.method, params: p.params });
  }

  private post(message: EngineToWorker): void {
    // A child that died meanwhile makes send fail: its exit handler requeues the work, so the error is dropped.
    if (this.child?.connected) this.child.send(message, undefined, {}, () => undefined);
  }

  private dispatch(m: WorkerToEngine): void {
    if (m.type === 'native-call') {
      this.inNativeCall = m.inside;
      this.lastBeat = Date.now();
      return;
    }
    if (m.type === 'heartbeat') {
      this.lastBeat = Date.now();
      this.vitals = m.vitals;
      this.peakRss = Math.max(this.peakRss, m.vitals.peakRss, m.vitals.rss);
      return;
    }
    if (m.type === 'ready' || m.type === 'dying') return;
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === 'progress') p.hooks.onProgress?.(m.percent);
    else if (m.type === 'warning') p.hooks.onWarning?.(m.message);
    else if (m.type === 'event') p.hooks.onEvent?.(m.event);
    else {
      this.pending.delete(m.id);
      if (!this.pending.size) this.state = 'idle';
      if (m.ok) p.resolve(m.result);
      else p.reject(fromErrorInfo(m.error));
    }
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.ready = undefined;
    this.state = 'stopped';
    if (this.disposed || !this.pending.size) return;
    const killedBy = signal ?? this.dying.get(child);
    const how = this.startTimedOut.has(child)
      ? `did not start within ${(this.options.startTimeoutMs ?? START_TIMEOUT_MS) / 1000} s`
      : killedBy
        ? `was killed (${killedBy})`
        : `exited with code ${code}`;
    let worst = 0;
    for (const [id, p] of this.pending) {
      if (p.hooks.signal?.aborted) {
        this.pending.delete(id);
        p.reject(new CancelledError());
        continue;
      }
      if (p.restarts >= this.options.maxRestarts) {
        this.pending.delete(id);
        p.reject(
          new ChildFailedError(
            this.kind,
            `The ${this.kind} process ${how} again after ${p.restarts} restarts (limit ${this.options.maxRestarts}); gave up on it.`,
          ),
        );
        continue;
      }
      p.restarts++;
      worst = Math.max(worst, p.restarts);
      p.hooks.onWarning?.(`The ${this.kind} process ${how}; restarted it (${p.restarts}/${this.options.maxRestarts}) and gave it its work again.`);
    }
    if (!this.pending.size) return;
    this.totalRestarts++;
    this.state = 'restarting';
    const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** (worst - 1));
    this.options.onEvent?.(`${this.kind} process ${how}; restarting in ${delay} ms`);
    setTimeout(() => {
      for (const [id, p] of this.pending) void this.dispatchRequest(id, p);
    }, delay);
  }

  /**
   * Stops an idle child to give its memory back; the next request starts it again. A child holding a request
   * (a live recording) is left alone.
   */
  async release(graceMs = 1000): Promise<void> {
    const child = this.child;
    if (this.disposed || this.pending.size || !child) return;
    await stopChild(child, graceMs);
  }

  async dispose(graceMs = 1000): Promise<void> {
    this.disposed = true;
    clearInterval(this.watchdog);
    for (const p of this.pending.values()) p.reject(new CancelledError('the engine is shutting down'));
    this.pending.clear();
    const child = this.child;
    this.state = 'stopped';
    if (child) await stopChild(child, graceMs);
  }
}

/** Stops a child that is still running: disconnect (it exits by itself, serve.ts), SIGKILL if it is still there after `graceMs`. */
async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  if (child.connected) child.disconnect();
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
