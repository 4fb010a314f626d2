// Speech regions from a worker thread (src/workers/speechThread.ts, built as dist/speech-thread.js) so the VAD runs
// beside Whisper's load in the same process. Where that bundle is absent (the library run from sources, as in unit
// tests) the VAD runs in the calling thread: the same regions, found after the load instead of beside it.
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { journalSource } from '../../audio/source';
import { detectSpeech } from '../../audio/vad';
import { CancelledError, fromErrorInfo } from '../../errors';
import type { SpeechThreadJob, SpeechThreadMessage } from '../../protocol/speechThread';
import type { SpeechRegion } from '../../vocabulary';
import type { RequestContext } from './handlers';
import { liveFirst } from './liveFirst';
import { models } from './modelCache';

const THREAD_ENTRY = path.join(__dirname, 'speech-thread.js');

export async function detectSpeechBeside(
  job: SpeechThreadJob,
  ctx: Pick<RequestContext, 'signal' | 'progress'>,
  threadEntry = THREAD_ENTRY,
): Promise<SpeechRegion[]> {
  if (!fs.existsSync(threadEntry)) {
    const vad = await models.vad(job.vadFile);
    return detectSpeech(vad, journalSource(job.journal), { signal: ctx.signal, onProgress: ctx.progress });
  }
  if (ctx.signal.aborted) throw new CancelledError();
  const thread = new Worker(threadEntry, { workerData: { ...job, liveNow: liveFirst.liveNow } satisfies SpeechThreadJob });
  let cancel = () => undefined as void;
  try {
    return await new Promise<SpeechRegion[]>((resolve, reject) => {
      cancel = () => reject(new CancelledError());
      ctx.signal.addEventListener('abort', cancel, { once: true });
      thread.on('message', (m: SpeechThreadMessage) => {
        if (m.type === 'progress') ctx.progress(m.percent);
        else if (m.type === 'regions') resolve(m.regions);
        else reject(fromErrorInfo(m.error));
      });
      thread.on('error', reject);
      thread.on('exit', (code) => reject(new Error(`the speech-detection thread ended (code ${code}) without an answer`)));
    });
  } finally {
    ctx.signal.removeEventListener('abort', cancel);
    await thread.terminate();
  }
}
