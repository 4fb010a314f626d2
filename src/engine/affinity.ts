// CPU affinity for the children, best-effort and reported, never fatal. Whisper and diarization are pinned to
// the core budget (the first max(1, cpus − 2) allowed cores), so the two cores left to the editor and the OS stay
// free of inference threads even when onnxruntime's thread pool would spread; capture runs on the cores outside
// the budget (all cores when there are none), where inference never delays the microphone. Linux: taskset
// (sched_setaffinity, every thread of the process); Windows: the process affinity mask via PowerShell; macOS has
// no affinity API, which is reported as such.
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { whichSync } from '../audio/ffmpeg';
import { startProgram } from '../startProgram';
import type { WorkerKind } from '../protocol/worker';

export type AffinityPlan = Record<WorkerKind, number[]>;

/**
 * Which cores each child may run on, out of `allowed` (the cores this process may use), for `budget` inference
 * threads (the core budget, or more when a job asks for more threads).
 */
export function affinityPlan(allowed: number[], budget: number): AffinityPlan {
  const cores = [...allowed].sort((a, b) => a - b);
  const inference = cores.slice(0, Math.max(1, Math.min(budget, cores.length)));
  const rest = cores.slice(inference.length);
  return { transcription: inference, diarization: inference, capture: rest.length ? rest : cores };
}

/** The cores this process may run on (Linux: its own affinity, from /proc/self/status; elsewhere all). */
export function allowedCores(): number[] {
  if (process.platform === 'linux') {
    try {
      const line = /Cpus_allowed_list:\s*(\S+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1];
      if (line) return parseCoreList(line);
    } catch {
      /* fall through */
    }
  }
  const n = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Array.from({ length: n }, (_, i) => i);
}

export function parseCoreList(text: string): number[] {
  return text.split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    return Array.from({ length: (b ?? a) - a + 1 }, (_, i) => a + i);
  });
}

/** "0-3,6" style list. */
export function coreList(cores: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < cores.length;) {
    let j = i;
    while (j + 1 < cores.length && cores[j + 1] === cores[j] + 1) j++;
    out.push(i === j ? String(cores[i]) : `${cores[i]}-${cores[j]}`);
    i = j + 1;
  }
  return out.join(',');
}

function run(name: string, cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    startProgram({ name, path: cmd, fix: 'The children run unpinned (transcrevai.engine.cpuAffinity turns pinning off).' }, () =>
      execFile(cmd, args, { timeout: 5000, windowsHide: true }, (err, _out, stderr) => (err ? reject(new Error(stderr.trim() || err.message)) : resolve())),
    );
  });
}

/** Pins `pid` to `cores`; resolves with what happened, in words for the status and the log. */
export async function applyAffinity(pid: number, cores: number[]): Promise<string> {
  if (process.env.TRANSCREVAI_CPU_AFFINITY === '0') return 'off (transcrevai.engine.cpuAffinity)';
  const list = coreList(cores);
  try {
    if (process.platform === 'linux') {
      const taskset = whichSync('taskset');
      if (!taskset) return 'not applied: taskset not found (util-linux)';
      await run('taskset', taskset, ['-a', '-p', '-c', list, String(pid)]);
      return `cores ${list}`;
    }
    if (process.platform === 'win32') {
      const mask = cores.reduce((m, c) => m + 2 ** c, 0);
      await run('PowerShell', windowsPowerShell(), ['-NoProfile', '-NonInteractive', '-Command', `(Get-Process -Id ${pid}).ProcessorAffinity = ${mask}`]);
      return `cores ${list}`;
    }
    return `not applied: ${process.platform} has no CPU affinity API`;
  } catch (err) {
    return `not applied: ${(err as Error).message.split('\n')[0]}`;
  }
}

/**
 * Windows PowerShell by its absolute path: a bare "powershell.exe" is looked up in the current folder first, so a
 * repository holding a file of that name would run instead.
 */
export function windowsPowerShell(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows';
  return path.win32.join(root, 'System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe');
}
