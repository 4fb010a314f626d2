// Shared by the engine tests: the built entries, a CLI runner, media made with ffmpeg at test time.
import { execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TESTDATA } from '../fixtures/shared';

export const ROOT = path.resolve(__dirname, '..', '..');
export const CLI = path.join(ROOT, 'dist', 'cli.js');
export const ENGINE = path.join(ROOT, 'dist', 'engine.js');
export const JFK = path.join(TESTDATA, 'en', 'jfk.wav');
export const JFK_TEXT = path.join(TESTDATA, 'en', 'jfk.txt');
export const MODELS_ROOT = process.env.TRANSCREVAI_MODELS || path.join(os.homedir(), '.cache', 'transcrevai', 'models');

if (!fs.existsSync(CLI) || !fs.existsSync(ENGINE)) {
  throw new Error(`dist/cli.js or dist/engine.js missing: run "npm run build" first (npm run test:engine does)`);
}

export { tmpDir } from '../fixtures/tmp';

export function ffmpeg(...args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The CLI under test: `node dist/cli.js`, or the argv in TRANSCREVAI_TEST_CLI (JSON), e.g. the win32 package's
 * `wine64 node.exe Z:\…\extension\dist\cli.js` (test/windows/run.sh), with TRANSCREVAI_TEST_CLI_ENV (JSON) added
 * to its environment only. TRANSCREVAI_TEST_CLI_WINE=1: it runs under Wine, whose node.exe cannot write to a Unix
 * pipe (its output goes through files) and names files Z:\… (cliPath).
 */
export const CLI_COMMAND: readonly string[] = process.env.TRANSCREVAI_TEST_CLI ? JSON.parse(process.env.TRANSCREVAI_TEST_CLI) : [process.execPath, CLI];
export const CLI_ENV: NodeJS.ProcessEnv = process.env.TRANSCREVAI_TEST_CLI_ENV ? JSON.parse(process.env.TRANSCREVAI_TEST_CLI_ENV) : {};
export const UNDER_WINE = process.env.TRANSCREVAI_TEST_CLI_WINE === '1';

/** A host path as the CLI under test names it (Wine maps / to Z:). */
export function cliPath(p: string): string {
  return UNDER_WINE ? `Z:${path.resolve(p).replace(/\//g, '\\')}` : p;
}

let outputs = 0;
function outputFiles(): { out: string; err: string } {
  const dir = path.join(os.tmpdir(), `transcrevai-cli-out-${process.pid}`);
  fs.mkdirSync(dir, { recursive: true });
  const n = ++outputs;
  return { out: path.join(dir, `${n}.out`), err: path.join(dir, `${n}.err`) };
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeout = 120_000): CliResult {
  const fullEnv = { ...process.env, ...CLI_ENV, ...env };
  if (!UNDER_WINE) {
    const r = spawnSync(CLI_COMMAND[0], [...CLI_COMMAND.slice(1), ...args], { encoding: 'utf8', env: fullEnv, timeout });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }
  const files = outputFiles();
  const out = fs.openSync(files.out, 'w');
  const err = fs.openSync(files.err, 'w');
  try {
    const r = spawnSync(CLI_COMMAND[0], [...CLI_COMMAND.slice(1), ...args], { stdio: ['ignore', out, err], env: fullEnv, timeout, killSignal: 'SIGKILL' });
    const stderr = fs.readFileSync(files.err, 'utf8') + (r.error ? `\n[runCli: ${r.error.message}]` : '');
    return { code: r.status, stdout: fs.readFileSync(files.out, 'utf8'), stderr };
  } finally {
    fs.closeSync(out);
    fs.closeSync(err);
  }
}

/**
 * Starts the CLI under test with its output going to files (as Wine needs), for tests that act while it runs:
 * stdout() and stderr() read what it wrote so far; `exited` gives its exit code; it is killed after `timeout`.
 */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}, timeout = 300_000) {
  const files = outputFiles();
  const out = fs.openSync(files.out, 'w');
  const err = fs.openSync(files.err, 'w');
  const child = spawn(CLI_COMMAND[0], [...CLI_COMMAND.slice(1), ...args], { env: { ...process.env, ...CLI_ENV, ...env }, stdio: ['ignore', out, err] });
  fs.closeSync(out);
  fs.closeSync(err);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    }),
  );
  return { child, exited, stdout: () => fs.readFileSync(files.out, 'utf8'), stderr: () => fs.readFileSync(files.err, 'utf8') };
}

export function runCliAsync(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * An ffmpeg stand-in that never finishes probing (it plays 60 s of silence in real time instead,
 * as one process: `exec`, so killing it leaves nothing behind). Lets cancel and crash paths be tested
 * at a known stage without a Whisper model.
 */
export function hangingFfmpeg(dir: string): string {
  const p = path.join(dir, 'ffmpeg-hang.sh');
  fs.writeFileSync(
    p,
    `#!/bin/sh\nexec /usr/bin/ffmpeg -nostdin -v quiet -re -f lavfi -i anullsrc=r=8000:cl=mono -t 20 -metadata tag=${path.basename(dir)} -f null -\n`,
  );
  fs.chmodSync(p, 0o755);
  return p;
}

/**
 * An ffmpeg stand-in that probes normally but decodes in real time (-re), so a job sits in the decode
 * stage for the length of the input.
 */
export function realtimeFfmpeg(dir: string): string {
  const p = path.join(dir, 'ffmpeg-realtime.sh');
  fs.writeFileSync(p, `#!/bin/sh\ncase "$*" in\n  *pipe:1*) exec /usr/bin/ffmpeg -re "$@" ;;\n  *) exec /usr/bin/ffmpeg "$@" ;;\nesac\n`);
  fs.chmodSync(p, 0o755);
  return p;
}

/**
 * Whether `pid` is still running. A zombie is not: an orphan that exited waits for init to reap it, and an init
 * that reaps late (or a container without one) would otherwise count a child that did exit as left running.
 */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; comm may hold spaces, so read the state after the last ')'.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

export async function waitFor(predicate: () => boolean, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (predicate()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return predicate();
}

/** Lower-case words without punctuation, for case/punctuation-insensitive comparisons. */
export function normalizeWords(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s']/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function modelDir(name: string): string | undefined {
  const dir = path.join(MODELS_ROOT, name);
  return fs.existsSync(path.join(dir, 'config.json')) ? dir : undefined;
}

export interface ManyTranscribed {
  input: string;
  threads: number;
  text: string;
}

/**
 * Transcribes `files` one after another in one process (test/fixtures/transcribeMany.ts: the engine in-process, the
 * model loaded once), under `env` (e.g. a CPU personality's), once per thread count.
 */
export function transcribeMany(
  env: NodeJS.ProcessEnv,
  batch: { files: string[]; model: string; precision: 'int8' | 'q4' | 'fp32'; threads: number[]; language: string },
): ManyTranscribed[] {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'fixtures', 'transcribeMany.ts'), JSON.stringify(batch)], {
    env,
    encoding: 'utf8',
    cwd: ROOT,
    timeout: 900_000,
  });
  if (r.status !== 0) throw new Error(`transcribeMany failed (${r.status ?? r.signal}): ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ManyTranscribed);
}
