// Speed and memory benchmark: our CLI (dist/cli.js) vs faster-whisper on the same files, same threads,
// INT8 both, greedy decoding, VAD on both. Writes docs/benchmarks.md. Not part of the tests.
//   npm run bench [-- --threads N --runs R --model base]
// Measures per run: RTF (process wall time / audio duration, i.e. everything a user waits for),
// start-up (process spawn → "model loaded", timestamped by this parent from each tool's stderr),
// peak RSS (/usr/bin/time -f %M; ours: the sum over its processes from --verbose). Reports medians and the ratios ours / faster-whisper.
// faster-whisper comes from PyPI into bench/.venv (created on first run; FW_PYTHON overrides), and loads
// the CTranslate2 model the models toolchain assembles in ~/.cache/transcrevai/build/ct2/<model>.
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'node:util';
import { TESTDATA } from '../test/fixtures/shared';
import { fwPython } from './peer';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const { values } = parseArgs({ options: { threads: { type: 'string' }, runs: { type: 'string' }, model: { type: 'string' }, 'no-peer': { type: 'boolean' } } });
const THREADS = Number(values.threads ?? Math.max(1, os.availableParallelism()));
const RUNS = Number(values.runs ?? 3);
const MODEL = values.model ?? 'base';
const CT2_DIR = path.join(os.homedir(), '.cache', 'transcrevai', 'build', 'ct2', MODEL);
const TIME = '/usr/bin/time';

interface RunResult {
  wall: number;
  startup: number;
  rssMB: number;
  duration: number;
  text: string;
}

function run(cmd: string, args: string[], loadedMarker: RegExp): Promise<RunResult & { stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let startup = NaN;
    const child = spawn(TIME, ['-f', 'transcrevai-bench-rss-kb=%M', cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (Number.isNaN(startup) && loadedMarker.test(stderr)) startup = (performance.now() - t0) / 1000;
    });
    child.on('close', (code) => {
      const wall = (performance.now() - t0) / 1000;
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`));
      const rss = Number(/transcrevai-bench-rss-kb=(\d+)/.exec(stderr)?.[1] ?? NaN);
      resolve({ wall, startup, rssMB: rss / 1024, duration: NaN, text: '', stdout, stderr });
    });
  });
}

async function ours(input: string): Promise<RunResult> {
  // --progress prints "loading model 100%" the moment the model (and VAD) are loaded. The CLI runs its stages in
  // child processes: /usr/bin/time sees only the CLI's own peak, so memory is the sum of every process's peak
  // as --verbose reports it (an upper bound on what was resident at once).
  const r = await run(
    process.execPath,
    [
      CLI,
      'transcribe',
      input,
      '--model',
      MODEL,
      '--language',
      'en',
      '--format',
      'json',
      '--threads',
      String(THREADS),
      '--precision',
      'int8',
      '--progress',
      '--verbose',
    ],
    /loading model 100%/,
  );
  const j = JSON.parse(r.stdout);
  const all = Number(/all processes: at most (\d+) MB/.exec(r.stderr)?.[1] ?? NaN);
  return { ...r, rssMB: (all * 1e6) / 2 ** 20, duration: j.duration, text: j.segments.map((s: { text: string }) => s.text).join(' ') };
}

async function fasterWhisper(py: string, input: string): Promise<RunResult> {
  const r = await run(py, [path.join(ROOT, 'bench', 'fw_runner.py'), CT2_DIR, input, String(THREADS), 'en'], /transcrevai-bench: loaded/);
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!);
  return { ...r, duration: j.duration, text: j.text };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function words(t: string): string[] {
  return t
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s']/gu, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

/** Word error rate of hyp against ref (Levenshtein over words). */
function wer(ref: string, hyp: string): number {
  const r = words(ref);
  const h = words(hyp);
  let prev = Array.from({ length: h.length + 1 }, (_, j) => j);
  for (let i = 1; i <= r.length; i++) {
    const cur = [i];
    for (let j = 1; j <= h.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r[i - 1] === h[j - 1] ? 0 : 1));
    prev = cur;
  }
  return r.length ? prev[h.length] / r.length : 0;
}

async function main() {
  const loadBefore = os.loadavg()[0];
  if (!fs.existsSync(CLI)) throw new Error('dist/cli.js missing: npm run build');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'transcrevai-bench-'));
  const jfk = path.join(TESTDATA, 'en', 'jfk.wav');
  const jfkText = fs.readFileSync(path.join(TESTDATA, 'en', 'jfk.txt'), 'utf8');
  const long = path.join(tmp, 'jfk-x6.wav');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', '5', '-i', jfk, '-c', 'copy', long]);
  const inputs = [
    { name: 'jfk.wav (11 s)', file: jfk, ref: jfkText },
    { name: 'jfk ×6 (66 s)', file: long, ref: Array(6).fill(jfkText).join(' ') },
  ];
  const py = values['no-peer']
    ? undefined
    : fs.existsSync(path.join(CT2_DIR, 'model.bin'))
      ? fwPython()
      : (console.error(`bench: no CTranslate2 model in ${CT2_DIR}`), undefined);

  const rows: string[] = [];
  const raw: unknown[] = [];
  for (const input of inputs) {
    const results: Record<string, RunResult[]> = { ours: [] };
    if (py) results.fw = [];
    for (let i = 0; i < RUNS + 1; i++) {
      // run 0 warms the OS file cache for both and is discarded
      const o = await ours(input.file);
      const f = py ? await fasterWhisper(py, input.file) : undefined;
      if (i === 0) continue;
      results.ours.push(o);
      if (f) results.fw.push(f);
      console.error(`bench: ${input.name} run ${i}: ours ${o.wall.toFixed(2)} s${f ? `, faster-whisper ${f.wall.toFixed(2)} s` : ''}`);
    }
    const summary = (rs: RunResult[]) => ({
      rtf: median(rs.map((r) => r.wall / r.duration)),
      startup: median(rs.map((r) => r.startup)),
      rss: median(rs.map((r) => r.rssMB)),
      wer: wer(input.ref, rs[0].text),
    });
    const so = summary(results.ours);
    const sf = results.fw ? summary(results.fw) : undefined;
    raw.push({ input: input.name, ours: results.ours, fasterWhisper: results.fw });
    const ratio = (a: number, b?: number) => (b ? (a / b).toFixed(2) : 'n/a');
    rows.push(
      `| ${input.name} | RTF | ${so.rtf.toFixed(3)} | ${sf ? sf.rtf.toFixed(3) : 'n/a'} | ${ratio(so.rtf, sf?.rtf)} |`,
      `| ${input.name} | start-up to model loaded (s) | ${so.startup.toFixed(2)} | ${sf ? sf.startup.toFixed(2) : 'n/a'} | ${ratio(so.startup, sf?.startup)} |`,
      `| ${input.name} | peak RSS (MB) | ${so.rss.toFixed(0)} | ${sf ? sf.rss.toFixed(0) : 'n/a'} | ${ratio(so.rss, sf?.rss)} |`,
      `| ${input.name} | WER vs reference | ${(so.wer * 100).toFixed(1)} % | ${sf ? (sf.wer * 100).toFixed(1) + ' %' : 'n/a'} | |`,
    );
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const md = `# Benchmarks

Generated by \`npm run bench\` (bench/run.ts) on ${new Date().toISOString().slice(0, 10)}.
Machine: ${os.availableParallelism()} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GB RAM, Node ${process.version}.

Setup: model \`${MODEL}\`, INT8 on both sides, ${THREADS} thread(s) on both, greedy decoding (beam 1), Silero VAD on both,
language forced to \`en\`. Ours: \`node dist/cli.js transcribe … --format json\` (onnxruntime-node, ONNX INT8).
Peer: faster-whisper ${py ? execFileSync(py, ['-c', 'import faster_whisper; print(faster_whisper.__version__)']).toString().trim() : '(not run)'} (CTranslate2, \`compute_type="int8"\`, \`cpu_threads=${THREADS}\`) on the
CTranslate2 conversion of the same checkpoint (~/.cache/transcrevai/build/ct2/${MODEL}).
Each figure is the median of ${RUNS} runs after one discarded warm-up run; every run is a fresh process.
Load average (1 min) at start ${loadBefore.toFixed(2)}, at end ${os.loadavg()[0].toFixed(2)}: above the core count, other work shared the CPU and the figures are noisy.

- **RTF** = process wall time (spawn → exit, including start-up, decoding and model load) / audio duration. Lower is better.
- **Start-up** = process spawn → model loaded (timestamped by the harness from each tool's stderr marker).
- **Peak RSS** = faster-whisper: \`/usr/bin/time -f %M\` of the Python process; ours: the sum of the peaks of the CLI process and its capture, transcription and diarization children (\`--verbose\`, each child's kernel maxrss), an upper bound on what was resident at once. ffmpeg children are not included.
- **Ratio** = ours / faster-whisper (below 1: we are faster / smaller).

| input | metric | TranscrevAI | faster-whisper | ratio |
|---|---|---|---|---|
${rows.join('\n')}

<details><summary>raw runs (seconds, MB)</summary>

\`\`\`json
${JSON.stringify(
  raw.map((r) =>
    JSON.parse(JSON.stringify(r, (k, v) => (k === 'text' || k === 'stdout' ? undefined : typeof v === 'number' ? Math.round(v * 1000) / 1000 : v))),
  ),
  null,
  1,
)}
\`\`\`
</details>
`;
  fs.mkdirSync(path.join(ROOT, 'docs'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'docs', 'benchmarks.md'), md);
  fs.rmSync(tmp, { recursive: true, force: true });
  console.log(md);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
