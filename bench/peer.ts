// The faster-whisper peer of the benchmarks: a Python with faster-whisper, from $FW_PYTHON or bench/.venv
// (created from PyPI on first use). Build-time/benchmark only; never used by the extension.
import { execFileSync, spawnSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');

/** The CTranslate2 model the models toolchain assembles for `model`. */
export function ct2Dir(model: string): string {
  return path.join(os.homedir(), '.cache', 'transcrevai', 'build', 'ct2', model);
}

/** The faster-whisper version that `py` imports (for the reports). */
export function fwVersion(py: string): string {
  return execFileSync(py, ['-c', 'import faster_whisper; print(faster_whisper.__version__)']).toString().trim();
}

export function fwPython(): string | undefined {
  const candidates = [process.env.FW_PYTHON, path.join(ROOT, 'bench', '.venv', 'bin', 'python')].filter(Boolean) as string[];
  for (const py of candidates) {
    try {
      execFileSync(py, ['-c', 'import faster_whisper'], { stdio: 'ignore' });
      return py;
    } catch {
      /* next */
    }
  }
  const venv = path.join(ROOT, 'bench', '.venv');
  try {
    console.error(`bench: installing faster-whisper into ${venv} (PyPI)`);
    execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
    execFileSync(path.join(venv, 'bin', 'pip'), ['install', '-q', 'faster-whisper==1.2.1'], { stdio: 'inherit' });
    return path.join(venv, 'bin', 'python');
  } catch (err) {
    console.error(`bench: faster-whisper unavailable (${(err as Error).message.split('\n')[0]})`);
    return undefined;
  }
}

export interface PeerWord {
  start: number;
  end: number;
  text: string;
  probability: number;
}

export interface PeerRun {
  text: string;
  seconds: number;
  /** When the job asked for words (word_timestamps=True). */
  words?: PeerWord[];
}

/** Runs bench/fw_accuracy.py on `jobs` (one model load) and returns each job's text and seconds (and words) by id. */
export function runPeerJobs(py: string, model: string, threads: number, jobs: object[]): Map<string, PeerRun> {
  const r = spawnSync(py, [path.join(ROOT, 'bench', 'fw_accuracy.py'), ct2Dir(model), String(threads)], {
    input: JSON.stringify(jobs),
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`faster-whisper failed: ${r.stderr.slice(-2000)}`);
  const out = new Map<string, PeerRun>();
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const j = JSON.parse(line) as PeerRun & { id: string };
    out.set(j.id, { text: j.text, seconds: j.seconds, ...(j.words && { words: j.words }) });
  }
  return out;
}
