// Diarization child: journal + speech regions → speaker turns. The speaker model stays loaded; when it is
// missing or fails, diarize() falls back to MFCC statistics and says so in its warnings.
import { readJournal } from '../audio/journal';
import { diarize, energyVad, loadSpeakerModel, type SpeakerModel } from '../diarization';
import { serveWorker } from './serve';

const speakerModels = new Map<string, Promise<SpeakerModel>>();

function speakerModel(dir: string, threads: number): Promise<SpeakerModel> {
  const key = `${dir}|${threads}`;
  let m = speakerModels.get(key);
  if (!m) {
    m = loadSpeakerModel(dir, { threads });
    m.catch(() => speakerModels.delete(key));
    speakerModels.set(key, m);
  }
  return m;
}

serveWorker('diarization', {
  async diarize(p, ctx) {
    const samples = readJournal(p.journal);
    const model = await speakerModel(p.modelDir, p.threads).catch(() => undefined);
    const r = await diarize(samples, p.speech ?? energyVad(samples), {
      threads: p.threads,
      model,
      modelDir: p.modelDir,
      speakers: p.speakers,
      minSpeakers: p.minSpeakers,
      maxSpeakers: p.maxSpeakers,
      signal: ctx.signal,
      onProgress: ctx.progress,
    });
    return { turns: r.turns, speakers: r.speakers, method: r.method, reason: r.reason, warnings: r.warnings };
  },
});
