// Writes a transcript (or notes) to disk without ever destroying what the user already has:
// - never over one of the job's inputs: compared by device and inode, so a symlink, a hard link or another
//   spelling of the recording's path is caught as well as the same string;
// - through a temporary file beside the target, renamed into place: a crash, a kill or a full disk mid-write
//   leaves the previous file whole instead of half a transcript;
// - on Windows, past a target another program holds open (an editor, a sync client, a virus scanner): the rename
//   is tried again with a short backoff, and a transcript whose target stays held is written beside it under a
//   free name (`notes (1).md`) instead of being thrown away; the caller is told the path actually written.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { TranscrevError } from '../errors';

/** Whether `a` and `b` name the same existing file (following symlinks). */
export function sameFile(a: string, b: string): boolean {
  let sa: fs.Stats, sb: fs.Stats;
  try {
    sa = fs.statSync(a);
    sb = fs.statSync(b);
  } catch {
    return false;
  }
  return sa.dev === sb.dev && sa.ino === sb.ino;
}

/** Backoff between tries of the final rename while the target is held (Windows), in ms: 1.55 s in all. */
export const HELD_RETRY_MS = [50, 100, 200, 400, 800];

export interface WriteOutputOptions {
  /**
   * When the target stays held after the retries, write beside it under a free name (`notes (1).md`) and return
   * that path. For transcripts and notes; state files read back under their own name (queues, voices) leave it off
   * and get the error.
   */
  besideIfHeld?: boolean;
  /** Injectable for tests (a Windows target held by another process): the final rename and the platform. */
  rename?: (from: string, to: string) => void;
  platform?: NodeJS.Platform;
  /** Waits `ms` (default: blocks this thread, as the write is synchronous). */
  sleep?: (ms: number) => void;
}

/**
 * Windows refuses to replace a file another process has open (without FILE_SHARE_DELETE): the rename fails with
 * EPERM, EACCES or EBUSY. Elsewhere these codes mean a real permission problem, which no retry changes.
 */
export function isHeldError(err: unknown, platform: NodeJS.Platform = process.platform): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return platform === 'win32' && (code === 'EPERM' || code === 'EACCES' || code === 'EBUSY');
}

/** "notes.md" → "notes (1).md", the first n ≥ 1 for which no file exists beside it. */
export function freeNameBeside(file: string, exists: (candidate: string) => boolean = fs.existsSync, limit = 1000): string {
  const ext = path.extname(file);
  const stem = ext ? file.slice(0, -ext.length) : file;
  for (let n = 1; n < limit; n++) {
    const candidate = `${stem} (${n})${ext}`;
    if (!exists(candidate)) return candidate;
  }
  throw new TranscrevError('internal', `no free name beside ${file}`);
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Writes `text` to `target` atomically and returns the path written: `target` (or the file its symlink names), or,
 * with `besideIfHeld`, a free name beside it when another program holds the target (see WriteOutputOptions).
 * `inputs` are files the job read (the media, the recording): a target that is one of them is refused with a usage
 * error before anything is written.
 */
export function writeOutputFile(target: string, text: string, inputs: readonly string[] = [], options: WriteOutputOptions = {}): string {
  for (const input of inputs) {
    if (sameFile(target, input)) {
      throw new TranscrevError('usage', `refusing to write the transcript over its own input: ${target} is ${input}`);
    }
  }
  const rename = options.rename ?? fs.renameSync;
  const platform = options.platform ?? process.platform;
  const sleep = options.sleep ?? sleepSync;
  // Writing through a symlink replaces the file it points to, as a plain write would, not the link itself.
  let real = target;
  try {
    real = fs.realpathSync(target);
  } catch {
    /* a new file */
  }
  const dir = path.dirname(real);
  const temp = path.join(dir, `.${path.basename(real)}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  let mode = 0o666 & ~process.umask();
  try {
    mode = fs.statSync(real).mode & 0o777;
  } catch {
    /* a new file: the umask's mode */
  }
  const fd = fs.openSync(temp, 'wx', mode);
  try {
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  } catch (err) {
    try {
      fs.closeSync(fd);
    } catch {
      /* already closed */
    }
    fs.rmSync(temp, { force: true });
    throw err;
  }
  // The text is whole on disk now; from here on a failure must not throw it away with the temporary file.
  let failure: unknown;
  for (let attempt = 0; ; attempt++) {
    try {
      rename(temp, real);
      return real;
    } catch (err) {
      failure = err;
      if (!isHeldError(err, platform) || attempt >= HELD_RETRY_MS.length) break;
      sleep(HELD_RETRY_MS[attempt]);
    }
  }
  if (options.besideIfHeld && isHeldError(failure, platform)) {
    try {
      const beside = freeNameBeside(real);
      rename(temp, beside);
      return beside;
    } catch {
      /* reported below, with where the text is */
    }
  }
  if (isHeldError(failure, platform) || options.besideIfHeld) {
    // Held (or not writable) to the end: the finished text stays in the temporary file, and the error says where.
    throw new TranscrevError('internal', `cannot replace ${real}: ${(failure as Error).message}; the text is kept in ${temp}`, { cause: failure });
  }
  fs.rmSync(temp, { force: true });
  throw failure;
}

/** The warning for a transcript written beside its target because the target was held, or undefined. */
export function writtenBesideWarning(target: string, written: string): string | undefined {
  if (path.resolve(written) === path.resolve(target)) return undefined;
  try {
    if (fs.realpathSync(target) === written) return undefined; // a symlink's file
  } catch {
    /* the target does not exist */
  }
  return `${target} is held open by another program; the transcript was written to ${written} instead.`;
}
