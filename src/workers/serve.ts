// The child side of the engine ↔ child protocol, shared by every worker entry: answers each request id once,
// forwards progress and warnings, cancels on request, beats every HEARTBEAT_MS with its own CPU and memory,
// and exits when the engine goes away (so a killed engine leaves no orphan).
import * as fs from 'fs';
import { toErrorInfo } from '../errors';
import { inNativeCall, onNativeCall } from '../nativeRun';
import type { RequestContext, StageHandlers } from '../engine/stages/handlers';
import type { EngineToWorker, WorkerKind, WorkerToEngine } from '../protocol/worker';

/** Heartbeat period; TRANSCREVAI_HEARTBEAT_MS shortens it for the supervisor's tests. */
export const HEARTBEAT_MS = Number(process.env.TRANSCREVAI_HEARTBEAT_MS) || 2000;

function send(message: WorkerToEngine): void {
  // The callback takes a send error (the engine went away in between) instead of an 'error' event that
  // would crash the child with a stack trace on the engine's stderr; 'disconnect' then ends the child.
  if (process.connected) process.send!(message, undefined, {}, () => undefined);
}

/**
 * Fault injection for the supervisor's tests: TRANSCREVAI_WORKER_FAULT="<kind>:crash|hang:<afterMs>[:<flagFile>]"
 * makes every <kind> child crash (SIGKILL itself) or hang <afterMs> after it starts, while <flagFile> exists;
 * "<kind>:nostart:0[:<flagFile>]" never says `ready` (a child stuck in its start-up);
 * "<kind>:slow:<ms>" delays every answer by <ms> (a child that falls behind, for the backpressure test).
 * Only the first three fields are split off: the flag file is the rest, so a Windows path (`C:\…`) keeps its colon.
 */
export interface FaultSpec {
  fault: string;
  afterMs: number;
  flag?: string;
}

export function parseFault(value: string | undefined, kind: WorkerKind): FaultSpec | undefined {
  const m = value === undefined ? null : /^([^:]*):([^:]*)(?::([^:]*)(?::(.*))?)?$/s.exec(value);
  if (!m || m[1] !== kind) return undefined;
  return { fault: m[2], afterMs: Number(m[3] ?? 0) || 0, ...(m[4] && { flag: m[4] }) };
}

function faultSpec(kind: WorkerKind): FaultSpec | undefined {
  return parseFault(process.env.TRANSCREVAI_WORKER_FAULT, kind);
}

function slowdownMs(kind: WorkerKind): number {
  const spec = faultSpec(kind);
  return spec?.fault === 'slow' ? spec.afterMs : 0;
}

/**
 * Kills this process with SIGKILL, as a crash would. It says so first and waits for the message to be written:
 * on Windows a process that kills itself exits with code 1 and no signal, so the supervisor reports the kill from
 * these last words, the same on both platforms.
 */
function crash(): void {
  const die = (): void => void process.kill(process.pid, 'SIGKILL');
  if (!process.connected) return die();
  process.send!({ type: 'dying', signal: 'SIGKILL' } satisfies WorkerToEngine, undefined, {}, die);
}

function holdThread(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end);
}

function armFault(kind: WorkerKind): void {
  const spec = faultSpec(kind);
  if (!spec) return;
  setTimeout(() => {
    if (spec.flag && !fs.existsSync(spec.flag)) return;
    if (spec.fault === 'crash') crash();
    if (spec.fault === 'hang') for (;;); // a busy loop: no heartbeat, no answer
    // A native call that holds the event loop for 40 beats (as one encoder window of a large model on a slow machine).
    if (spec.fault === 'native-block') void inNativeCall(async () => holdThread(40 * HEARTBEAT_MS));
  }, spec.afterMs).unref();
}

export function serveWorker<K extends WorkerKind>(kind: K, handlers: StageHandlers<K>): void {
  if (!process.send) {
    process.stderr.write(`transcrevai ${kind} worker: start me with child_process.fork from the engine.\n`);
    process.exit(1);
  }
  const running = new Map<string, AbortController>();
  let lastCpu = process.cpuUsage();
  let lastAt = performance.now();
  const beat = () => {
    const cpu = process.cpuUsage(lastCpu);
    const now = performance.now();
    const cpuPercent = ((cpu.user + cpu.system) / 1000 / Math.max(1, now - lastAt)) * 100;
    lastCpu = process.cpuUsage();
    lastAt = now;
    const vitals = { cpuPercent: Math.round(cpuPercent * 10) / 10, rss: process.memoryUsage().rss, peakRss: process.resourceUsage().maxRSS * 1024 };
    send({ type: 'heartbeat', vitals });
  };
  setInterval(beat, HEARTBEAT_MS);
  onNativeCall((inside) => send({ type: 'native-call', inside }));

  process.on('message', (message: EngineToWorker) => {
    if (message.type === 'cancel') {
      running.get(message.id)?.abort();
      return;
    }
    const handler = (handlers as Record<string, (p: unknown, c: RequestContext) => Promise<unknown>>)[message.method];
    const controller = new AbortController();
    running.set(message.id, controller);
    const ctx: RequestContext = {
      signal: controller.signal,
      progress: (percent) => send({ type: 'progress', id: message.id, percent }),
      warn: (m) => send({ type: 'warning', id: message.id, message: m }),
      event: (event) => send({ type: 'event', id: message.id, event }),
    };
    const slow = slowdownMs(kind);
    const handled = handler ? handler(message.params, ctx) : Promise.reject(new Error(`${kind} worker has no method ${message.method}`));
    const work = slow ? handled.finally(() => new Promise((r) => setTimeout(r, slow))) : handled;
    work
      .then(
        (result) => {
          beat(); // the engine gets this request's memory peak even when it took less than a heartbeat
          send({ type: 'response', id: message.id, ok: true, result });
        },
        (err) => send({ type: 'response', id: message.id, ok: false, error: toErrorInfo(err) }),
      )
      .finally(() => {
        running.delete(message.id);
        // The request's audio (up to 230 MB per hour) is garbage now: give it back before the child idles.
        if (running.size === 0) setImmediate(() => (globalThis as { gc?: () => void }).gc?.());
      });
  });
  process.on('disconnect', () => process.exit(0));
  armFault(kind);
  const spec = faultSpec(kind);
  if (spec?.fault === 'nostart' && (!spec.flag || fs.existsSync(spec.flag))) return;
  send({ type: 'ready', pid: process.pid });
}
