// The engine process entry (dist/engine.js), started with child_process.fork by EngineClient.
// Speaks the protocol in src/protocol/messages.ts over the IPC channel: one response per request id,
// progress/warning notifications tagged with the job id, `ready` once at start. Runs one transcription
// at a time (CPU-bound work on a fixed core budget); queued jobs can be cancelled before they start.
// Exits when the parent disconnects, so a crashed or killed host never leaves an orphan. Never imports vscode.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findFfmpeg } from '../audio/ffmpeg';
import { playbackFor } from '../audio/playback';
import { CancelledError, toErrorInfo, TranscrevError } from '../errors';
import { removeStaleJobFolders } from '../files/jobFolders';
import { auxiliaryModelDir } from '../models/paths';
import type { ClientToEngine, EngineStatus, EngineToClient, RequestMap, RequestMessage, RequestMethod } from '../protocol/client';
import { coreBudget } from './budget';
import { Engine } from './engine';
import { LiveSession } from './live';
import { Supervisor } from './supervisor';

if (!process.send) {
  process.stderr.write('transcrevai engine: start me with child_process.fork (I talk over the IPC channel).\n');
  process.exit(1);
}

// The children are forked on first use and kept (models stay loaded between jobs).
const supervisor = new Supervisor({
  distDir: __dirname,
  onEvent: (message) => send({ type: 'log', level: 'warn', message }),
});
const engine = new Engine({ supervisor });
// Children start with the engine, so the first job pays only for loading its models.
supervisor.start().catch((err) => send({ type: 'log', level: 'warn', message: `engine children failed to start: ${(err as Error).message}` }));
const jobs = new Map<string, AbortController>();
const running = new Set<string>();
const queued = new Set<string>();
let queue: Promise<unknown> = Promise.resolve();
let shuttingDown = false;
const live = new Map<string, LiveSession>();

function send(message: EngineToClient, callback?: () => void): void {
  if (!process.connected) return;
  process.send!(message, undefined, {}, (err) => {
    if (err && !process.connected) return;
    callback?.();
  });
}

type Handlers = { [M in RequestMethod]: (params: RequestMap[M]['params'], id: string) => Promise<RequestMap[M]['result']> };

const handlers: Handlers = {
  async transcribe(params, id) {
    const controller = new AbortController();
    jobs.set(id, controller);
    queued.add(id);
    const job = queue.then(async () => {
      queued.delete(id);
      if (controller.signal.aborted) throw new CancelledError();
      running.add(id);
      try {
        return await engine.transcribe(params, {
          signal: controller.signal,
          onProgress: (progress) => send({ type: 'progress', jobId: id, progress }),
          onWarning: (message) => send({ type: 'warning', jobId: id, message }),
        });
      } finally {
        running.delete(id);
        jobs.delete(id);
      }
    });
    queue = job.catch(() => undefined);
    return job;
  },
  async 'live.start'(params, id) {
    // The request id names the session, so the client can route events that arrive before this answer.
    const sessionId = id;
    const session = new LiveSession(sessionId, params, supervisor, (event) => send({ type: 'live', sessionId, event }));
    await session.start();
    live.set(sessionId, session);
    return { sessionId, recording: session.journal };
  },
  async 'live.context'({ sessionId, before, phrases }) {
    // A session that has just stopped may still get the editor's last change: nothing to do then.
    live.get(sessionId)?.setContext(before, phrases);
    return { ok: true };
  },
  async 'live.stop'({ sessionId }) {
    const session = live.get(sessionId);
    if (!session) throw new TranscrevError('usage', `no live session ${sessionId} (it was stopped already, or never started)`);
    live.delete(sessionId);
    return session.stop();
  },
  async playback({ input, folder, ffmpegPath }) {
    return playbackFor(input, folder, { ffmpegPath });
  },
  async cancel({ jobId }) {
    const controller = jobs.get(jobId);
    if (!controller || controller.signal.aborted) return { cancelled: false };
    controller.abort();
    return { cancelled: true };
  },
  async status(params) {
    let ffmpeg: EngineStatus['ffmpeg'];
    try {
      ffmpeg = findFfmpeg({ explicit: params?.ffmpegPath });
    } catch (err) {
      ffmpeg = { error: (err as Error).message };
    }
    return {
      pid: process.pid,
      uptime: process.uptime(),
      loadedModels: engine.loadedModels(),
      activeJobs: [...running, ...live.keys()],
      queuedJobs: [...queued],
      rss: process.memoryUsage().rss,
      processes: supervisor.status(),
      system: { totalMemory: os.totalmem(), freeMemory: os.freemem() },
      coreBudget: coreBudget(),
      ffmpeg,
      vad: fs.existsSync(path.join(auxiliaryModelDir('vad', params?.modelsPath), 'silero_vad.onnx')),
    };
  },
  async shutdown() {
    shuttingDown = true;
    for (const c of jobs.values()) c.abort();
    await Promise.all([...live.values()].map((s) => s.abandon()));
    return { ok: true };
  },
};

async function handle(message: RequestMessage): Promise<void> {
  const handler = handlers[message.method] as ((params: unknown, id: string) => Promise<unknown>) | undefined;
  try {
    if (!handler) throw new Error(`unknown method ${String(message.method)}`);
    const result = await handler(message.params, message.id);
    send({ type: 'response', id: message.id, ok: true, result } as EngineToClient, () => {
      if (message.method === 'shutdown') void exit(0);
    });
  } catch (err) {
    send({ type: 'response', id: message.id, ok: false, error: toErrorInfo(err) });
  }
}

async function exit(code: number): Promise<never> {
  const timer = setTimeout(() => process.exit(code), 500);
  timer.unref();
  await Promise.all([engine.dispose().catch(() => undefined), supervisor.dispose().catch(() => undefined)]);
  process.exit(code);
}

process.on('message', (message: ClientToEngine) => {
  if (!message || message.type !== 'request' || typeof message.id !== 'string') {
    send({ type: 'log', level: 'warn', message: `engine ignored a malformed message: ${JSON.stringify(message)?.slice(0, 200)}` });
    return;
  }
  if (shuttingDown && message.method !== 'status') {
    send({ type: 'response', id: message.id, ok: false, error: { kind: 'internal', message: 'the engine is shutting down' } });
    return;
  }
  void handle(message);
});

// The parent went away (exit, crash, kill): nobody can receive results any more.
process.on('disconnect', () => {
  for (const c of jobs.values()) c.abort();
  void Promise.race([Promise.all([...live.values()].map((s) => s.abandon())), new Promise((r) => setTimeout(r, 500))]).then(() => process.exit(0));
});

process.on('uncaughtException', (err) => {
  send({ type: 'log', level: 'error', message: `engine crashed: ${err.stack ?? err.message}` }, () => process.exit(70));
  setTimeout(() => process.exit(70), 200).unref();
});
process.on('unhandledRejection', (reason) => {
  send({ type: 'log', level: 'error', message: `engine: unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}` });
});

send({ type: 'ready', pid: process.pid, startupMs: Math.round(process.uptime() * 1000) });
// After `ready`, so it never delays the first job; the folders are of processes that are gone.
setImmediate(() => {
  const stale = removeStaleJobFolders();
  if (stale.length) send({ type: 'log', level: 'info', message: `removed ${stale.length} job folder(s) left by killed runs: ${stale.join(', ')}` });
});
