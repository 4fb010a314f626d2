// One downloader per model's .partial folder, across processes (two VS Code windows, the CLI): a lock file
// holding the owner's pid. A lock whose process is gone is taken over.
import * as fs from 'fs';
import * as path from 'path';
import { TranscrevError } from '../errors';
import { processAlive } from '../processAlive';

const LOCK_FILE = '.download.lock';

/** Another live process holds the lock: a caller may wait for it (the CLI does) instead of failing. */
export class HeldByAnotherProcess extends TranscrevError {
  constructor(
    name: string,
    readonly owner: number,
  ) {
    super('model', `Model "${name}" is already being downloaded by another process (pid ${owner}); wait for it to finish.`);
  }
}
const HELD_LOCKS = new Set<string>();

/**
 * One downloader per .partial folder, across processes (two VS Code windows, the CLI): a lock file holding
 * the owner's pid. A lock whose process is gone is taken over. Returns an idempotent release function.
 */
export function lockPartial(partialDir: string, name: string): () => void {
  const lock = path.join(partialDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      HELD_LOCKS.add(lock);
      let held = true;
      return () => {
        if (held) {
          fs.rmSync(lock, { force: true });
          HELD_LOCKS.delete(lock);
        }
        held = false;
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(fs.readFileSync(lock, 'utf8').trim());
      if (owner && owner !== process.pid && processAlive(owner)) {
        throw new HeldByAnotherProcess(name, owner);
      }
      if (owner === process.pid && HELD_LOCKS.has(lock)) {
        throw new TranscrevError('model', `Model "${name}" is already being downloaded.`);
      }
      fs.rmSync(lock, { force: true }); // stale: its process is gone
    }
  }
  throw new TranscrevError('model', `Cannot lock ${partialDir} for the download of "${name}".`);
}
