// A worker thread of the transcription child: Silero VAD over the journal while the child's main thread loads
// Whisper. onnxruntime-node creates sessions synchronously on the calling thread, so in one thread the two run one
// after the other; in a child process of its own the VAD would cost another Node and another resident copy of
// onnxruntime (~110 MB at the job's peak). A thread shares the library and costs an isolate (~15 MB).
import { parentPort, workerData } from 'worker_threads';
import { journalSource } from '../audio/source';
import { detectSpeech, loadVad } from '../audio/vad';
import { waitWhileLive } from '../engine/stages/liveFirst';
import { toErrorInfo } from '../errors';
import type { SpeechThreadJob, SpeechThreadMessage } from '../protocol/speechThread';

const post = (m: SpeechThreadMessage) => parentPort!.postMessage(m);

async function run(job: SpeechThreadJob): Promise<void> {
  // One thread: the VAD must not contend with Whisper's load for the cores.
  const vad = await loadVad(job.vadFile, { threads: 1 });
  try {
    const regions = await detectSpeech(vad, journalSource(job.journal), {
      onProgress: (percent) => post({ type: 'progress', percent }),
      // Live phrases first: the file's speech detection waits while they are transcribed (liveFirst.ts).
      beforeBlock: job.liveNow ? () => waitWhileLive(job.liveNow!) : undefined,
    });
    post({ type: 'regions', regions });
  } finally {
    await vad.dispose();
  }
}

run(workerData as SpeechThreadJob).catch((err) => post({ type: 'error', error: toErrorInfo(err) }));
