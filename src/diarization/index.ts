// Speaker diarization: speech regions → windows → speaker embeddings (ONNX model, or MFCC statistics when the
// model is missing or fails) → clustering (method chosen per recording, see choose.ts) → speaker turns.
// Pure library: no process or VS Code dependency; the engine/worker calls diarize() then assignSpeakers().
import { asSource, type SampleSource } from '../audio/source';
import { throwIfCancelled, TranscrevError } from '../errors';
import { auxiliaryModelDir } from '../models/paths';
import type { SpeakerSummary } from '../transcript';
import { SAMPLE_RATE, type SpeechRegion } from '../vocabulary';
import { agglomerative, cutDendrogram, dendrogram } from './cluster/agglomerative';
import { hybrid } from './cluster/hybrid';
import { spectral } from './cluster/spectral';
import { chooseMethod } from './choose';
import { countBounds } from './count';
import { speakerName } from './speakerName';
import { embedWindows, loadSpeakerModel, type SpeakerModel } from './embed';
import { FALLBACK_AHC_THRESHOLD, mfccStatistics } from './fallback';
import { windowsToTurns } from './turns';
import type { DiarizationMethod, SpeakerCount, Turn } from './types';
import { canonicalLabels } from './vectors';
import type { SpeakerVoices } from '../transcript';
import { voicesOf } from './voiceProfiles';
import { planWindows, HOP_SECONDS, WINDOW_SECONDS, type WindowPlan } from './windows';

export { assignSpeakers } from './assign';
export { speakerName } from './speakerName';
export { diarizationErrorRate, aggregateDer } from './der';
export { parseRttm, writeRttm, parseUem } from './rttm';
export { energyVad } from './energyVad';
export { loadSpeakerModel, type SpeakerModel } from './embed';
export type { Turn, DiarizationMethod, SpeakerCount } from './types';

/** Window hop as a fraction of the model's window (0.5 → 1.6 s windows every 0.8 s). */
export const HOP_FRACTION = 0.5;

export interface DiarizeOptions extends SpeakerCount {
  /** onnxruntime intra-op threads. */
  threads: number;
  /** Speaker model folder; default: the models root's "speaker" folder (auxiliaryModelDir('speaker')). */
  modelDir?: string;
  /** An already loaded model (the caller keeps ownership); wins over modelDir. */
  model?: SpeakerModel;
  /** Force a method instead of the adaptive choice ('fallback-mfcc' skips the model). */
  method?: DiarizationMethod;
  signal?: AbortSignal;
  /** 0–100 for the diarization component. */
  onProgress?: (percent: number) => void;
}

export interface DiarizationResult {
  turns: Turn[];
  speakers: SpeakerSummary[];
  method: DiarizationMethod;
  reason: string;
  warnings: string[];
  /** Diagnostics: number of analysis windows clustered. */
  windows: number;
  /** Each speaker's voice (neural embeddings only), for matching voice profiles. */
  voices?: SpeakerVoices;
}

/** `samples`: 16 kHz mono; `speech`: VAD regions in samples. */
export async function diarize(input: Float32Array | SampleSource, speech: SpeechRegion[], options: DiarizeOptions): Promise<DiarizationResult> {
  // Audio is read window by window (a journal on disk in the engine): an hour is never in memory at once.
  const samples = asSource(input);
  const warnings: string[] = [];
  countBounds(options, Number.MAX_SAFE_INTEGER); // validate early: usage errors before any work
  const regions = speech
    .map((r) => ({ start: Math.max(0, Math.floor(r.start)), end: Math.min(samples.length, Math.ceil(r.end)) }))
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start);
  const speechSeconds = regions.reduce((s, r) => s + r.end - r.start, 0) / SAMPLE_RATE;
  const progress = (p: number) => options.onProgress?.(Math.max(0, Math.min(100, p)));
  if (!regions.length) {
    progress(100);
    return { turns: [], speakers: [], method: 'agglomerative', reason: 'no speech detected', warnings, windows: 0 };
  }

  // 1. Embeddings (neural, else MFCC fallback).
  let method: DiarizationMethod | undefined = options.method === 'fallback-mfcc' ? 'fallback-mfcc' : undefined;
  let windows: WindowPlan[] = [];
  let embeddings: Float32Array[] = [];
  let voiceSpace: string | undefined;
  let fallbackWhy = options.method === 'fallback-mfcc' ? 'MFCC fallback requested' : '';
  if (!method) {
    let model = options.model;
    const owned = !model;
    try {
      if (!model) model = await loadSpeakerModel(options.modelDir ?? auxiliaryModelDir('speaker'), { threads: options.threads });
      voiceSpace = model.space;
      progress(5);
      const win = model.windowSeconds;
      windows = planWindows(regions, { window: win, hop: win * HOP_FRACTION, length: samples.length });
      embeddings = await embedWindows(model, samples, windows, {
        signal: options.signal,
        onProgress: (p) => progress(5 + 0.85 * p),
      });
    } catch (err) {
      if (err instanceof TranscrevError && err.kind === 'cancelled') throw err;
      fallbackWhy = `speaker model unavailable (${(err as Error).message})`;
      warnings.push(`Speaker diarization used the MFCC fallback (lower accuracy): ${fallbackWhy}.`);
      method = 'fallback-mfcc';
    } finally {
      if (owned && model) await model.dispose().catch(() => undefined);
    }
  }
  if (method === 'fallback-mfcc') {
    windows = planWindows(regions, { window: WINDOW_SECONDS, hop: HOP_SECONDS, length: samples.length });
    embeddings = mfccStatistics(samples, windows);
    progress(90);
  }
  throwIfCancelled(options.signal);

  // 2. Clustering.
  const bounds = countBounds(options, Math.max(1, windows.length));
  let labels: number[];
  let reason: string;
  if (windows.length === 0) {
    labels = [];
    reason = 'all speech regions are too short to embed: one speaker';
    method ??= 'agglomerative';
  } else if (method === 'fallback-mfcc') {
    labels = agglomerative(embeddings, { bounds, threshold: FALLBACK_AHC_THRESHOLD }).labels;
    reason = `${fallbackWhy}: MFCC statistics + agglomerative clustering (${windows.length} windows)`;
  } else {
    const tree = dendrogram(embeddings);
    const choice = chooseMethod({ duration: speechSeconds, regions: regions.length, embeddings, bounds, tree });
    method = options.method ?? choice.method;
    reason = options.method ? `method ${options.method} requested (${choice.reason})` : choice.reason;
    if (method === 'spectral') labels = spectral(embeddings, { bounds }).labels;
    else if (method === 'hybrid') labels = hybrid(embeddings, { bounds, tree }).labels;
    else labels = cutDendrogram(tree, embeddings.length, { bounds }).labels;
  }
  throwIfCancelled(options.signal);

  // 3. Turns, speakers numbered by first appearance.
  labels = canonicalLabels(labels);
  const rawTurns = windowsToTurns(
    windows.map((w, i) => ({ start: w.start / SAMPLE_RATE, end: w.end / SAMPLE_RATE, label: labels[i] })),
    regions.map((r) => ({ start: r.start / SAMPLE_RATE, end: r.end / SAMPLE_RATE })),
  );
  const turns = renumber(rawTurns);
  const speakers = summarize(turns);
  // Each speaker's voice, for voice profiles: only the neural embeddings mean anything across recordings.
  let voices: SpeakerVoices | undefined;
  if (method !== 'fallback-mfcc' && voiceSpace && embeddings.length) {
    const finalId = new Map(rawTurns.map((t, i) => [t.speaker, turns[i].speaker]));
    const kept = labels.map((l) => finalId.get(`SPEAKER_${l + 1}`));
    const rows = embeddings.filter((_, i) => kept[i] !== undefined);
    voices = voicesOf(
      rows,
      kept.filter((id): id is string => id !== undefined),
      voiceSpace,
    );
  }
  progress(100);
  return { turns, speakers, method: method!, reason, warnings, windows: windows.length, ...(voices && { voices }) };
}

/** SPEAKER_1, SPEAKER_2, ... in order of first appearance, with no gaps (smoothing may remove a label). */
export function renumber(turns: Turn[]): Turn[] {
  const map = new Map<string, string>();
  for (const t of turns) if (!map.has(t.speaker)) map.set(t.speaker, `SPEAKER_${map.size + 1}`);
  return turns.map((t) => ({ ...t, speaker: map.get(t.speaker)! }));
}

/** Speaking time per speaker, ordered by id number. */
export function summarize(turns: Turn[]): SpeakerSummary[] {
  const time = new Map<string, number>();
  for (const t of turns) time.set(t.speaker, (time.get(t.speaker) ?? 0) + (t.end - t.start));
  return [...time.entries()]
    .map(([id, speakingTime]) => ({ id, name: speakerName(id), speakingTime: Math.round(speakingTime * 1000) / 1000 }))
    .sort((a, b) => Number(a.id.replace(/\D/g, '')) - Number(b.id.replace(/\D/g, '')));
}
