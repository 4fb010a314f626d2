// The contract between the Whisper library (src/whisper) and its callers (engine, workers, bench).
// Types only: the implementation is exported from src/whisper/index.ts.
import type { Segment } from '../transcript';
import type { DecodeStats, Precision, SpeechRegion } from '../vocabulary';

export interface LoadOptions {
  precision: Precision;
  /** onnxruntime intra-op threads. */
  threads: number;
  /** Called when something degrades but still works (e.g. INT8 file missing → FP32). */
  onWarning?: (message: string) => void;
}

export interface WhisperModel {
  /** Folder name, e.g. "base", or the directory's base name for --model <dir>. */
  readonly name: string;
  readonly dir: string;
  /** The precision actually loaded (may differ from the one asked for after a fallback). */
  readonly precision: Precision;
  readonly nMels: number;
  readonly isMultilingual: boolean;
  dispose(): Promise<void>;
}

export interface DecodeOptions {
  /** 'auto' or a language code ('pt', 'en', ...). */
  language: string;
  task?: 'transcribe' | 'translate';
  /** Text before the first window only; it gives way to the transcript's own text as decoding goes on. */
  initialPrompt?: string;
  /**
   * Words to spell right (names, jargon), e.g. "Nestor Pestana, FalaBrasil": they lead every window's prompt,
   * before the previous text (faster-whisper's `hotwords`), so they keep helping an hour in. At most
   * MAX_VOCABULARY_TOKENS tokens are used; the cut shows in `stats.vocabularyTokensCut`.
   */
  vocabulary?: string;
  /** Temperature fallback ladder; default [0, 0.2, 0.4, 0.6, 0.8, 1.0]. */
  temperatures?: number[];
  compressionRatioThreshold?: number;
  logprobThreshold?: number;
  noSpeechThreshold?: number;
  conditionOnPreviousText?: boolean;
  /**
   * Speech regions from VAD. When given, only these are decoded and timestamps are mapped back to
   * the original timeline; when an empty array, there is no speech and no text is produced.
   */
  speech?: SpeechRegion[];
  signal?: AbortSignal;
  /** Seed of the sampler used by the temperature fallback (T > 0), so runs repeat; default 0. */
  seed?: number;
  /** Beam search width at T = 0; 1 = greedy (default 1). */
  beamSize?: number;
  /** Samples drawn per attempt at T > 0, the most likely kept (default 5, as faster-whisper). */
  bestOf?: number;
  /**
   * Time each word (cross-attention alignment, as word_timestamps in openai/whisper and faster-whisper) and give
   * its probability: segments get `words`. One more decoder run per window. Default false.
   */
  wordTimestamps?: boolean;
  /** 0–100 over the whole input. */
  onProgress?: (percent: number) => void;
  /**
   * Every onnxruntime run of this decoding (encoder run, decoder step, alignment run) starts through it: the engine
   * makes a file job's runs wait while a live phrase is transcribed (engine/stages/liveFirst.ts). Default: at once.
   */
  runGate?: RunGate;
}

/** Starts `run` when the caller's scheduling allows, and gives its result. */
export type RunGate = <T>(run: () => Promise<T>) => Promise<T>;

export interface DecodeResult {
  /** The language used (detected when 'auto'; 'und' when 'auto' found no speech to detect from). */
  language: string;
  segments: Segment[];
  /** Where the time went, for benchmarks and diagnostics. */
  stats?: DecodeStats;
}
