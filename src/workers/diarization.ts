// Diarization child: journal + speech regions → speaker turns. The speaker model stays loaded; when it is
// missing or fails, diarize() falls back to MFCC statistics and says so in its warnings.
import { readJournal } from '../audio/journal';
import { LoadCache } from '../models/loadCache';
import { diarize, energyVad, loadSpeakerModel, type SpeakerModel } from '../diarization';
import { embedRange } from '../diarization/embedRange';
import { serveWorker } from './serve';

const speakerModels = new LoadCache<SpeakerModel>();

serveWorker('diarization', {
  async diarize(p, ctx) {
    const samples = readJournal(p.journal);
    const model = await speakerModels.get(`${p.modelDir}|${p.threads}`, () => loadSpeakerModel(p.modelDir, { threads: p.threads })).catch(() => undefined);
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
  async embed(p, ctx) {
    const model = await speakerModels.get(`${p.modelDir}|${p.threads}`, () => loadSpeakerModel(p.modelDir, { threads: p.threads }));
    const vector = await embedRange(model, readJournal(p.journal, { start: p.start, end: p.end }), ctx.signal);
    return { vector: vector && Array.from(vector) };
  },
});
