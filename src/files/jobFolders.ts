// Private working folders in the system's temporary folder, and the cleaning of those whose process died.
// - Private: mkdtemp makes the folder 0700 under an unpredictable name, so another local user can neither read
//   the audio in it nor plant a file or symlink under a name we are about to create.
// - Owned: the name carries the owner's pid ("transcrevai-job-<pid>-XXXXXX"). A job folder holds decoded audio
//   (220 MB per hour); when the CLI or the engine is killed nothing removes it, so the next start does, for every
//   job folder whose owner is no longer running. Live folders are never cleaned: a dictation killed mid-way
//   keeps its recording there, and the user was told where.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { processAlive } from '../processAlive';

export type FolderKind = 'job' | 'live';

const OWNED = /^transcrevai-(job|live)-(\d+)-[A-Za-z0-9]{6}$/;

export function makePrivateFolder(kind: FolderKind, root = os.tmpdir()): string {
  return fs.mkdtempSync(path.join(root, `transcrevai-${kind}-${process.pid}-`));
}

/** Removes job folders of processes that are gone; returns what was removed (for --verbose and the tests). */
export function removeStaleJobFolders(root = os.tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = OWNED.exec(name);
    if (!m || m[1] !== 'job' || Number(m[2]) === process.pid || processAlive(Number(m[2]))) continue;
    const dir = path.join(root, name);
    try {
      // Only our own folders: in a shared /tmp another user's are not ours to judge.
      const st = fs.lstatSync(dir);
      if (!st.isDirectory() || (process.getuid && st.uid !== process.getuid())) continue;
      fs.rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    } catch {
      /* another process is removing it, or it is not ours */
    }
  }
  return removed;
}
