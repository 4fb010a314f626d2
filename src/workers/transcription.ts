// Transcription child: journal → speech regions (Silero VAD) → Whisper segments. Models stay loaded between
// requests; a restarted child loads them again (its `load` request is idempotent).
import { readJournal } from '../audio/journal';
import { LoadCache } from '../models/loadCache';
import { detectSpeech, loadVad, loadWhisperModelWithWarnings, modelKey, transcribeSamples, type ModelWithWarnings, type Vad } from '../whisper';
import { serveWorker } from './serve';

const models = new LoadCache<ModelWithWarnings>();
const vads = new LoadCache<Vad>();

async function load(p: { modelDir: string; precision: 'int8' | 'fp32'; threads: number; vadFile?: string }) {
  const l0 = performance.now();
  const vadFile = p.vadFile;
  const [{ model, warnings }, v] = await Promise.all([
    models.get(modelKey(p.modelDir, p.precision, p.threads), () => loadWhisperModelWithWarnings(p.modelDir, p)),
    vadFile ? vads.get(vadFile, () => loadVad(vadFile, { threads: 1 })) : Promise.resolve(undefined),
  ]);
  return { model, vad: v, warnings, loadSeconds: (performance.now() - l0) / 1000 };
}

serveWorker('transcription', {
  async load(p) {
    const { model, warnings, loadSeconds } = await load(p);
    return { modelName: model.name, precision: model.precision, loadSeconds, warnings };
  },
  async speech(p, ctx) {
    const v = await vads.get(p.vadFile, () => loadVad(p.vadFile, { threads: 1 }));
    return detectSpeech(v, readJournal(p.journal), { signal: ctx.signal });
  },
  async phrase(p, ctx) {
    const { model } = await load(p);
    const offset = p.start / 16000;
    const result = await transcribeSamples(model, readJournal(p.journal, { start: p.start, end: p.end }), {
      language: p.language,
      initialPrompt: p.initialPrompt,
      // A partial is replaced within a second: one greedy pass is enough, and keeps the next one on time.
      temperatures: p.partial ? [0] : undefined,
      signal: ctx.signal,
    });
    const segments = result.segments.map((s) => ({ ...s, start: s.start + offset, end: s.end + offset, words: s.words?.map((w) => ({ ...w, start: w.start + offset, end: w.end + offset })) }));
    return { text: segments.map((s) => s.text.trim()).filter(Boolean).join(' '), language: result.language, segments };
  },
  async transcribe(p, ctx) {
    const { model, warnings } = await load(p);
    const result = await transcribeSamples(model, readJournal(p.journal), {
      language: p.language,
      initialPrompt: p.initialPrompt,
      beamSize: p.beamSize,
      speech: p.speech,
      signal: ctx.signal,
      onProgress: ctx.progress,
    });
    return { modelName: model.name, precision: model.precision, language: result.language, segments: result.segments, warnings, stats: result.stats };
  },
});
