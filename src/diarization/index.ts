// Speaker diarization: speech regions → windows → speaker embeddings (ONNX model, or MFCC statistics when the
// model is missing or fails) → clustering (method chosen per recording, see choose.ts) → speaker turns.
// Pure library: no process or VS Code dependency; the engine/worker calls diarize() then assignSpeakers().
import { asSource, type SampleSource } from '../audio/source';
import { throwIfCancelled, TranscrevError } from '../errors';
import { auxiliaryModelDir, overlapModelDirs } from '../models/paths';
import type { SpeakerSummary } from '../transcript';
import { SAMPLE_RATE, type SpeechRegion } from '../vocabulary';
import { agglomerative, cutDendrogram, dendrogram } from './cluster/agglomerative';
import { hybrid } from './cluster/hybrid';
import { spectral } from './cluster/spectral';
import { chooseMethod } from './choose';
import { countBounds } from './count';
import { renumber, summarize } from './summary';
import { embedWindows, loadSpeakerModel, type SpeakerModel } from './embed';
import { FALLBACK_AHC_THRESHOLD, mfccStatistics } from './fallback';
import { windowsToTurns } from './turns';
import type { DiarizationMethod, SpeakerCount, Turn } from './types';
import { canonicalLabels } from './vectors';
import type { SpeakerVoices } from '../transcript';
import { voicesOf } from './voiceProfiles';
import { planWindows, HOP_SECONDS, WINDOW_SECONDS, type WindowPlan } from './windows';
import { runOverlapAware, type OverlapModels } from './overlap/runOverlapAware';

export { assignSpeakers } from './assign';
export { speakerName } from './speakerName';
export { renumber, summarize } from './summary';
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
  /**
   * Force a method instead of the adaptive choice ('fallback-mfcc' skips the model; 'overlap-aware' is that method
   * alone: a 'model' error when its models are missing or fail, instead of the GE2E method).
   */
  method?: DiarizationMethod;
  /**
   * The overlap-aware method's models: folders (default: overlapModelDirs()) or already loaded (the caller keeps
   * them); false skips the method (the GE2E method over `speech`, as when its models are missing).
   */
  overlap?: false | { dirs?: { segmentation: string; embedder: string }; models?: OverlapModels };
  signal?: AbortSignal;
  /** 0–100 for the diarization component. */
  onProgress?: (percent: number) => void;
}

export interface DiarizationResult {
  /** Who talks when; with the overlap-aware method two turns may overlap (two people at once). */
  turns: Turn[];
  /** One speaker at a time (the overlap-aware method's most supported one), for placing words; else as turns. */
  exclusiveTurns?: Turn[];
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

  // 0. The overlap-aware method first: it finds speech itself (far-field talk the VAD missed, two people at once).
  let overlapWhy = '';
  if (options.overlap === false && options.method === 'overlap-aware') throw new TranscrevError('model', 'the overlap-aware method was turned off');
  if (options.overlap !== false && (options.method === undefined || options.method === 'overlap-aware')) {
    const given = options.overlap ?? {};
    const r = await runOverlapAware(samples, given, { ...options, dirs: given.dirs ?? overlapModelDirs() }, progress);
    if ('result' in r) return r.result;
    overlapWhy = r.why;
    // Asked for alone (the engine starts it before its VAD is done): the caller falls back itself, with the speech.
    if (options.method === 'overlap-aware') throw new TranscrevError('model', overlapWhy);
    warnings.push(`Speakers were found with the simpler GE2E method (no overlapping speech): ${overlapWhy}.`);
  }

  if (!regions.length) {
    progress(100);
    return { turns: [], speakers: [], method: 'agglomerative', reason: 'no speech detected', warnings, windows: 0 };
  }

  // 1. Embeddings (neural, else MFCC fallback).
  const requested = options.method === 'overlap-aware' ? undefined : options.method;
  let method: DiarizationMethod | undefined = requested === 'fallback-mfcc' ? 'fallback-mfcc' : undefined;
  let windows: WindowPlan[] = [];
  let embeddings: Float32Array[] = [];
  let voiceSpace: string | undefined;
  let fallbackWhy = requested === 'fallback-mfcc' ? 'MFCC fallback requested' : '';
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
    method = requested ?? choice.method;
    reason = requested ? `method ${requested} requested (${choice.reason})` : choice.reason;
    if (overlapWhy) reason = `${overlapWhy}; ${reason}`;
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
      'ge2e',
    );
  }
  progress(100);
  return { turns, speakers, method: method!, reason, warnings, windows: windows.length, ...(voices && { voices }) };
}
