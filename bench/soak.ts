// Soak run (not a test): one hour of real speech end to end through the supervised CLI, with the RSS of the
// whole process tree (CLI/engine + capture + transcription + diarization children) sampled every second with
// `ps`. Memory must stay flat: the report gives the peak and the mean per minute of wall time.
//   npm run build && node --import tsx bench/soak.ts [--model base] [--minutes 60] [--threads 2]
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'node:util';
import { TESTDATA } from '../test/fixtures/shared';

const { values } = parseArgs({ options: { model: { type: 'string' }, minutes: { type: 'string' }, threads: { type: 'string' } } });
const MODEL = values.model ?? 'base';
const MINUTES = Number(values.minutes ?? 60);
const THREADS = values.threads ?? '2';
const ROOT = path.resolve(__dirname, '..');

/** All shared English speech, concatenated and repeated to `minutes`. */
function buildInput(dir: string): string {
  const clips = [
    path.join(TESTDATA, 'en', 'jfk.wav'),
    path.join(TESTDATA, 'diarization', 'pyannote_sample.wav'),
    ...fs
      .readdirSync(path.join(TESTDATA, 'en', 'speechbrain'))
      .filter((f) => f.endsWith('.wav'))
      .map((f) => path.join(TESTDATA, 'en', 'speechbrain', f)),
  ];
  const list = path.join(dir, 'list.txt');
  fs.writeFileSync(list, clips.map((c) => `file '${c}'`).join('\n') + '\n');
  const once = path.join(dir, 'once.wav');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-ac', '1', '-ar', '16000', once]);
  const out = path.join(dir, `soak-${MINUTES}min.wav`);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', '-1', '-i', once, '-t', String(MINUTES * 60), '-c', 'copy', out]);
  return out;
}

/** RSS (KB) of pid and all its descendants, from one `ps` call. */
function treeRssKb(root: number): number {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,rss='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number));
  const kids = new Map<number, number[]>();
  for (const [pid, ppid] of rows) kids.set(ppid, [...(kids.get(ppid) ?? []), pid]);
  const rss = new Map(rows.map(([pid, , r]) => [pid, r]));
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const p = stack.pop()!;
    total += rss.get(p) ?? 0;
    stack.push(...(kids.get(p) ?? []));
  }
  return total;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'transcrevai-soak-'));
  const input = buildInput(dir);
  const t0 = Date.now();
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, 'dist', 'cli.js'),
      'transcribe',
      input,
      '--model',
      MODEL,
      '--language',
      'en',
      '--diarize',
      '--threads',
      THREADS,
      '--format',
      'json',
      '--out',
      path.join(dir, 'out.json'),
      '--verbose',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const samples: { t: number; mb: number }[] = [];
  const timer = setInterval(() => {
    try {
      samples.push({ t: (Date.now() - t0) / 1000, mb: treeRssKb(child.pid!) / 1024 });
    } catch {
      // the process ended between two samples
    }
  }, 1000);
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  clearInterval(timer);
  const wall = (Date.now() - t0) / 1000;
  const out = code === 0 ? JSON.parse(fs.readFileSync(path.join(dir, 'out.json'), 'utf8')) : undefined;
  const stretch = 60;
  const rows: string[] = [];
  for (let s = 0; s < wall; s += stretch) {
    const w = samples.filter((x) => x.t >= s && x.t < s + stretch && x.mb > 0);
    if (!w.length) continue;
    rows.push(
      `| ${Math.round(s / 60)}–${Math.round(Math.min(wall, s + stretch) / 60)} min | ${w.length} | ${Math.max(...w.map((x) => x.mb)).toFixed(0)} | ${(w.reduce((a, x) => a + x.mb, 0) / w.length).toFixed(0)} |`,
    );
  }
  const peak = Math.max(...samples.map((x) => x.mb));
  console.log(`# Soak: ${MINUTES} min of speech, model ${MODEL}, --diarize, ${THREADS} threads (${new Date().toISOString().slice(0, 10)})\n`);
  console.log(
    `exit ${code}; wall ${wall.toFixed(0)} s (RTF ${(wall / (MINUTES * 60)).toFixed(3)}); ${out ? `${out.segments.length} segments, ${out.speakers?.length ?? 0} speakers` : stderr.slice(-500)}`,
  );
  console.log(`peak RSS of the process tree ${peak.toFixed(0)} MB (${samples.length} samples, every 1 s)\n`);
  console.log('| wall-clock stretch | samples | peak MB | mean MB |\n|---|---|---|---|\n' + rows.join('\n'));
  console.log(
    '\n```\n' +
      stderr
        .split('\n')
        .filter((l) => /process|warning/.test(l))
        .join('\n') +
      '\n```',
  );
  fs.rmSync(dir, { recursive: true, force: true });
}

void main();
