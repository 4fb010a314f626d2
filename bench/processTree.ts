// Runs a command and samples the resident memory of its whole process tree (the command and every descendant,
// summed: what is resident at once) every 50 ms from /proc, with the wall time and the moment a marker line
// appears on stderr (start-up). The benchmarks' memory figure; not the sum of per-process peaks.
//   node --import tsx bench/processTree.ts <command> [args...]   (prints the figures as JSON)
import { spawn } from 'child_process';
import * as fs from 'fs';

export interface TreeRun {
  wall: number;
  /** Seconds from spawn to the first stderr line matching `readyMarker` (NaN without one). */
  startup: number;
  peakMB: number;
  /** Peak of each process of the tree, by its command name, MB (for the breakdown). */
  peaksByProcess: Record<string, number>;
  code: number | null;
  stdout: string;
  stderr: string;
}

const PAGE_KB = 4;

function children(): Map<number, number[]> {
  const map = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = map.get(ppid) ?? [];
      list.push(Number(entry));
      map.set(ppid, list);
    } catch {
      // the process ended meanwhile
    }
  }
  return map;
}

function rssOf(pid: number): { kb: number; name: string } {
  try {
    const statm = fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ');
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const name =
      cmd
        .find((a) => /\.(js|py)$/.test(a))
        ?.split('/')
        .pop() ??
      cmd[0]?.split('/').pop() ??
      String(pid);
    return { kb: Number(statm[1]) * PAGE_KB, name };
  } catch {
    return { kb: 0, name: '' };
  }
}

/** Summed RSS of `root` and its descendants, KB, with each process's share. */
export function treeRss(root: number): { kb: number; parts: { name: string; kb: number }[] } {
  const kids = children();
  const parts: { name: string; kb: number }[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    const r = rssOf(pid);
    if (r.kb) parts.push(r);
    stack.push(...(kids.get(pid) ?? []));
  }
  return { kb: parts.reduce((s, p) => s + p.kb, 0), parts };
}

export function runTree(cmd: string, args: string[], options: { env?: NodeJS.ProcessEnv; readyMarker?: RegExp; sampleMs?: number } = {}): Promise<TreeRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let startup = NaN;
    let peak = 0;
    const peaks: Record<string, number> = {};
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (Number.isNaN(startup) && options.readyMarker?.test(stderr)) startup = (performance.now() - t0) / 1000;
    });
    const sample = () => {
      if (child.pid === undefined) return;
      const t = treeRss(child.pid);
      peak = Math.max(peak, t.kb);
      for (const p of t.parts) peaks[p.name] = Math.max(peaks[p.name] ?? 0, p.kb / 1024);
    };
    const timer = setInterval(sample, options.sampleMs ?? 50);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      const round = (x: number) => Math.round(x);
      resolve({
        wall: (performance.now() - t0) / 1000,
        startup,
        peakMB: round(peak / 1024),
        peaksByProcess: Object.fromEntries(Object.entries(peaks).map(([k, v]) => [k, round(v)])),
        code,
        stdout,
        stderr,
      });
    });
  });
}

if (require.main === module) {
  const [cmd, ...args] = process.argv.slice(2);
  runTree(cmd, args).then((r) => console.log(JSON.stringify({ wall: +r.wall.toFixed(2), peakMB: r.peakMB, peaksByProcess: r.peaksByProcess, code: r.code })));
}
