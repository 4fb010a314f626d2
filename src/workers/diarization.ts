// Diarization child: journal + speech regions → speaker turns, and, for live sessions, "when is there speech":
// streaming Silero VAD over the growing recording (segmentation belongs with diarization, as in pyannote, and
// here it never waits behind a Whisper run, which blocks the transcription child's event loop for ~300 ms at a
// time). The models stay loaded; a missing or failing speaker model falls back to MFCC statistics (reported).
import { readJournal } from '../audio/journal';
import { LoadCache } from '../models/loadCache';
import { diarize, energyVad, loadSpeakerModel, type SpeakerModel } from '../diarization';
import { embedRange } from '../diarization/embedRange';
import { loadVad, speechProbabilitiesCarried, type Vad } from '../audio/vad';
import { serveWorker } from './serve';

const speakerModels = new LoadCache<SpeakerModel>();
const vads = new LoadCache<Vad>();

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
  async vad(p, ctx) {
    const v = await vads.get(p.vadFile, () => loadVad(p.vadFile, { threads: 1 }));
    const carry = p.carry && { state: Float32Array.from(p.carry.state), context: Float32Array.from(p.carry.context) };
    const r = await speechProbabilitiesCarried(v, readJournal(p.journal, { start: p.start, end: p.end }), carry, ctx.signal);
    return { probs: Array.from(r.probs), carry: { state: Array.from(r.carry.state), context: Array.from(r.carry.context) } };
  },
  async embed(p, ctx) {
    const model = await speakerModels.get(`${p.modelDir}|${p.threads}`, () => loadSpeakerModel(p.modelDir, { threads: p.threads }));
    const vector = await embedRange(model, readJournal(p.journal, { start: p.start, end: p.end }), ctx.signal);
    return { vector: vector && Array.from(vector) };
  },
});
