// Writes a transcript (or notes) to disk without ever destroying what the user already has:
// - never over one of the job's inputs: compared by device and inode, so a symlink, a hard link or another
//   spelling of the recording's path is caught as well as the same string;
// - through a temporary file beside the target, renamed into place: a crash, a kill or a full disk mid-write
//   leaves the previous file whole instead of half a transcript.
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

/**
 * Writes `text` to `target` atomically. `inputs` are files the job read (the media, the recording): a target
 * that is one of them is refused with a usage error before anything is written.
 */
export function writeOutputFile(target: string, text: string, inputs: readonly string[] = []): void {
  for (const input of inputs) {
    if (sameFile(target, input)) {
      throw new TranscrevError('usage', `refusing to write the transcript over its own input: ${target} is ${input}`);
    }
  }
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
    fs.renameSync(temp, real);
  } catch (err) {
    try {
      fs.closeSync(fd);
    } catch {
      /* already closed */
    }
    fs.rmSync(temp, { force: true });
    throw err;
  }
}
