// The diarization stage: speaker turns over the journal's speech, and for live sessions streaming VAD and one speaker
// embedding per phrase. Served by the diarization child; run in-process by --in-process (and by the engine itself
// for the MFCC fallback once the child is past its restarts).
import { readJournal } from '../../audio/journal';
import { journalSource } from '../../audio/source';
import { speechProbabilitiesCarried } from '../../audio/vad';
import { diarize, energyVad } from '../../diarization';
import { embedRange, embedRangeFbank } from '../../diarization/embedRange';
import type { StageHandlers } from './handlers';
import { models } from './modelCache';
import { overlapModelDirs } from '../../models/paths';

export const diarizationHandlers: StageHandlers<'diarization'> = {
  async diarize(p, ctx) {
    const samples = journalSource(p.journal);
    // A speaker model that is missing or fails to load is not an error: diarize() falls back to MFCC (reported).
    // The MFCC fallback itself needs no model: not loaded (the engine runs it after the child gave up).
    // The overlap-aware models: loaded by diarize() itself when they fail here, so the failure is reported there.
    const dirs = p.overlapDirs ?? overlapModelDirs();
    const overlapModels = p.method === 'fallback-mfcc' ? undefined : await models.overlapModels(dirs, p.threads).catch(() => undefined);
    // The GE2E model only when it may be used: without the overlap-aware models.
    const model = p.method === 'fallback-mfcc' || overlapModels ? undefined : await models.speakerModel(p.modelDir, p.threads).catch(() => undefined);
    // The overlap-aware method alone finds speech itself (and the engine has no VAD result yet when it asks for it).
    const speech = p.method === 'overlap-aware' ? [] : (p.speech ?? energyVad(samples));
    const r = await diarize(samples, speech, {
      threads: p.threads,
      model,
      modelDir: p.modelDir,
      speakers: p.speakers,
      minSpeakers: p.minSpeakers,
      maxSpeakers: p.maxSpeakers,
      method: p.method,
      overlap: { dirs, models: overlapModels },
      signal: ctx.signal,
      onProgress: ctx.progress,
    });
    return {
      turns: r.turns,
      ...(r.exclusiveTurns && { exclusiveTurns: r.exclusiveTurns }),
      speakers: r.speakers,
      method: r.method,
      reason: r.reason,
      warnings: r.warnings,
      ...(r.voices && { voices: r.voices }),
    };
  },
  async vad(p, ctx) {
    const v = await models.vad(p.vadFile);
    const carry = p.carry && { state: Float32Array.from(p.carry.state), context: Float32Array.from(p.carry.context) };
    const r = await speechProbabilitiesCarried(v, readJournal(p.journal, { start: p.start, end: p.end }), carry, ctx.signal);
    return { probs: Array.from(r.probs), carry: { state: Array.from(r.carry.state), context: Array.from(r.carry.context) } };
  },
  async embed(p, ctx) {
    const samples = readJournal(p.journal, { start: p.start, end: p.end });
    // The overlap-aware method's embedder when it loads, so live labels come from the model the final labels use.
    const overlap = await models.overlapModels(p.overlapDirs ?? overlapModelDirs(), p.threads).catch(() => undefined);
    if (overlap) {
      const vector = await embedRangeFbank(overlap.embedder, samples);
      return { vector: vector && Array.from(vector), embedder: 'campplus' as const };
    }
    const model = await models.speakerModel(p.modelDir, p.threads);
    const vector = await embedRange(model, samples, ctx.signal);
    return { vector: vector && Array.from(vector), embedder: 'ge2e' as const };
  },
};
