// A full disk, said in words. Without this a write that fails with ENOSPC inside a stream handler crashed the
// capture child, which was restarted five times into the same full disk, and the job ended with an error that
// never said "disk". Now the write's error is the request's error: one attempt, one message.
import * as path from 'path';
import { TranscrevError } from '../errors';

/** `err` as a "disk full" TranscrevError when it is one (ENOSPC, or EDQUOT: over quota), else `err` itself. */
export function explainDiskFull(err: unknown, file: string): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code !== 'ENOSPC' && code !== 'EDQUOT') return err;
  const what = code === 'EDQUOT' ? 'Your disk quota is used up' : 'The disk is full';
  return new TranscrevError(
    'internal',
    `${what} where TranscrevAI writes its audio (${path.dirname(file)}): free some space (an hour of audio needs about 230 MB while it is transcribed) and try again.`,
    { cause: err as Error },
  );
}
