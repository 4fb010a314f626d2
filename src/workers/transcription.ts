// Transcription child: journal → speech regions (Silero VAD) → Whisper segments. Models stay loaded between
// requests; a restarted child loads them again (its `load` request is idempotent).
import { readJournal } from '../audio/journal';
import { detectSpeech, loadVad, loadWhisperModel, transcribeSamples, type Vad, type WhisperModel } from '../whisper';
import { serveWorker } from './serve';

const models = new Map<string, { model: Promise<WhisperModel>; warnings: string[] }>();
const vads = new Map<string, Promise<Vad>>();

function whisper(dir: string, precision: 'int8' | 'fp32', threads: number) {
  const key = `${dir}|${precision}|${threads}`;
  let entry = models.get(key);
  if (!entry) {
    const warnings: string[] = [];
    const created = { model: loadWhisperModel(dir, { precision, threads, onWarning: (m) => warnings.push(m) }), warnings };
    created.model.catch(() => models.delete(key));
    models.set(key, created);
    entry = created;
  }
  return entry;
}

function vad(file: string): Promise<Vad> {
  let v = vads.get(file);
  if (!v) {
    v = loadVad(file, { threads: 1 });
    v.catch(() => vads.delete(file));
    vads.set(file, v);
  }
  return v;
}

async function load(p: { modelDir: string; precision: 'int8' | 'fp32'; threads: number; vadFile?: string }) {
  const l0 = performance.now();
  const entry = whisper(p.modelDir, p.precision, p.threads);
  const [model, v] = await Promise.all([entry.model, p.vadFile ? vad(p.vadFile) : Promise.resolve(undefined)]);
  return { model, vad: v, warnings: entry.warnings, loadSeconds: (performance.now() - l0) / 1000 };
}

serveWorker('transcription', {
  async load(p) {
    const { model, warnings, loadSeconds } = await load(p);
    return { modelName: model.name, precision: model.precision, loadSeconds, warnings };
  },
  async speech(p, ctx) {
    return detectSpeech(await vad(p.vadFile), readJournal(p.journal), { signal: ctx.signal });
  },
  async transcribe(p, ctx) {
    const { model, warnings } = await load(p);
    const result = await transcribeSamples(model, readJournal(p.journal), {
      language: p.language,
      initialPrompt: p.initialPrompt,
      speech: p.speech,
      signal: ctx.signal,
      onProgress: ctx.progress,
    });
    return { modelName: model.name, precision: model.precision, language: result.language, segments: result.segments, warnings };
  },
});
