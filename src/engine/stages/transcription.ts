// The transcription stage: speech regions (Silero VAD) and Whisper over the journal, whole jobs and live phrases.
// Served by the transcription child; run in-process by --in-process. Models are kept by the process's ModelCache.
// Live phrases go ahead of file jobs on the process's cores (liveFirst.ts).
import { readJournal } from '../../audio/journal';
import { journalSource } from '../../audio/source';
import { SAMPLE_RATE } from '../../vocabulary';
import { transcribeSamples } from '../../whisper';
import type { StageHandlers } from './handlers';
import { liveFirst } from './liveFirst';
import { models } from './modelCache';
import { detectSpeechBeside } from './speechInThread';

export const transcriptionHandlers: StageHandlers<'transcription'> = {
  async load(p) {
    const l0 = performance.now();
    const { model, warnings } = await models.whisperModel(p.modelDir, p.precision, p.threads);
    return { modelName: model.name, precision: model.precision, loadSeconds: (performance.now() - l0) / 1000, warnings };
  },
  speech(p, ctx) {
    return detectSpeechBeside(p, ctx);
  },
  async phrase(p, ctx) {
    const { model } = await models.whisperModel(p.modelDir, p.precision, p.threads);
    const offset = p.start / SAMPLE_RATE;
    const samples = readJournal(p.journal, { start: p.start, end: p.end });
    const result = await liveFirst.live(() =>
      transcribeSamples(model, samples, {
        language: p.language,
        initialPrompt: p.initialPrompt,
        vocabulary: p.vocabulary,
        // A partial is replaced within a second: one greedy pass is enough, and keeps the next one on time.
        temperatures: p.partial ? [0] : undefined,
        wordTimestamps: p.wordTimings && !p.partial,
        signal: ctx.signal,
      }),
    );
    const segments = result.segments.map((s) => ({
      ...s,
      start: s.start + offset,
      end: s.end + offset,
      words: s.words?.map((w) => ({ ...w, start: w.start + offset, end: w.end + offset })),
    }));
    return {
      text: segments
        .map((s) => s.text.trim())
        .filter(Boolean)
        .join(' '),
      language: result.language,
      segments,
    };
  },
  async transcribe(p, ctx) {
    const { model, warnings } = await models.whisperModel(p.modelDir, p.precision, p.threads);
    const result = await transcribeSamples(model, journalSource(p.journal), {
      language: p.language,
      initialPrompt: p.initialPrompt,
      vocabulary: p.vocabulary,
      beamSize: p.beamSize,
      wordTimestamps: p.wordTimings,
      speech: p.speech,
      signal: ctx.signal,
      onProgress: ctx.progress,
      runGate: (run) => liveFirst.fileRun(run),
    });
    return { modelName: model.name, precision: model.precision, language: result.language, segments: result.segments, warnings, stats: result.stats };
  },
};
