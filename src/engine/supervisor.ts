// The engine's three children and their budget. Core budget max(1, cpus − 2); transcription and diarization
// each get that many intra-op threads unless the job says otherwise (they run one after the other, so
// splitting the budget would leave cores idle); capture gets one and, where the OS allows, a higher priority.
// Restart limits: capture 5, the others 3.
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_RESTART_LIMITS, MAX_RESTART_LIMIT } from '../options/registry';
import type { WorkerKind } from '../protocol/worker';
import { affinityPlan, allowedCores } from './affinity';
import { coreBudget } from './budget';
import { WorkerProcess, type WorkerStatus } from './workerProcess';

export const RESTART_LIMITS: Readonly<Record<WorkerKind, number>> = DEFAULT_RESTART_LIMITS;
const ENTRY: Readonly<Record<WorkerKind, string>> = {
  capture: 'worker-capture.js',
  transcription: 'worker-transcription.js',
  diarization: 'worker-diarization.js',
};

/**
 * Restart limits from `TRANSCREVAI_RESTART_LIMITS` (JSON such as {"capture":5,"transcription":3}, set by the
 * extension from `transcrevai.engine.restartLimits`); whole numbers 0–MAX_RESTART_LIMIT, anything else keeps the default.
 */
export function restartLimitsFrom(text: string | undefined): Partial<Record<WorkerKind, number>> {
  if (!text) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return {};
  }
  const out: Partial<Record<WorkerKind, number>> = {};
  for (const kind of Object.keys(RESTART_LIMITS) as WorkerKind[]) {
    const v = (raw as Record<string, unknown> | null)?.[kind];
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_RESTART_LIMIT) out[kind] = v;
  }
  return out;
}

export interface SupervisorOptions {
  /** Folder holding the built worker entries (dist/). */
  distDir: string;
  restartLimits?: Partial<Record<WorkerKind, number>>;
  heartbeatMs?: number;
  env?: NodeJS.ProcessEnv;
  onEvent?: (message: string) => void;
}

export class Supervisor {
  readonly capture: WorkerProcess<'capture'>;
  readonly transcription: WorkerProcess<'transcription'>;
  readonly diarization: WorkerProcess<'diarization'>;
  private inferenceCores: number;

  constructor(private readonly options: SupervisorOptions) {
    const plan = affinityPlan(allowedCores(), coreBudget());
    this.inferenceCores = plan.transcription.length;
    const make = <K extends WorkerKind>(kind: K) =>
      new WorkerProcess(kind, path.join(options.distDir, ENTRY[kind]), {
        maxRestarts: options.restartLimits?.[kind] ?? restartLimitsFrom(process.env.TRANSCREVAI_RESTART_LIMITS)[kind] ?? RESTART_LIMITS[kind],
        heartbeatMs: options.heartbeatMs ?? (Number(process.env.TRANSCREVAI_HEARTBEAT_MS) || 2000),
        startTimeoutMs: Number(process.env.TRANSCREVAI_START_TIMEOUT_MS) || undefined,
        env: options.env,
        onEvent: options.onEvent,
        affinity: plan[kind],
      });
    this.capture = make('capture');
    this.transcription = make('transcription');
    this.diarization = make('diarization');
  }

  private all(): WorkerProcess<WorkerKind>[] {
    return [this.capture, this.transcription, this.diarization];
  }

  /** Starts every child at once (their start-up overlaps) and raises capture's priority where allowed. */
  async start(kinds: WorkerKind[] = ['capture', 'transcription', 'diarization']): Promise<void> {
    await Promise.all(
      this.all()
        .filter((w) => kinds.includes(w.kind))
        .map((w) => w.start()),
    );
    const pid = this.capture.pid;
    if (pid !== undefined) {
      try {
        os.setPriority(pid, os.constants.priority.PRIORITY_ABOVE_NORMAL);
      } catch (err) {
        this.options.onEvent?.(`capture priority unchanged (${(err as Error).message})`);
      }
    }
  }

  /**
   * Before a job: a job that asks for more threads than the core budget (--threads, transcrevai.threads) gets
   * that many cores for inference, so its threads are not squeezed onto the budget's cores.
   */
  async fitAffinity(threads: number): Promise<void> {
    const wanted = Math.max(coreBudget(), threads);
    if (wanted === this.inferenceCores) return;
    this.inferenceCores = wanted;
    const plan = affinityPlan(allowedCores(), wanted);
    await Promise.all([
      this.transcription.setAffinity(plan.transcription),
      this.diarization.setAffinity(plan.diarization),
      this.capture.setAffinity(plan.capture),
    ]);
  }

  status(): WorkerStatus[] {
    return this.all().map((w) => w.status());
  }

  async dispose(): Promise<void> {
    await Promise.all(this.all().map((w) => w.dispose()));
  }
}
