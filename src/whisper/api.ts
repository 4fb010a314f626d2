// The contract between the Whisper library (src/whisper) and its callers (engine, workers, bench).
// Types only: the implementation is exported from src/whisper/index.ts.
import type { Segment } from '../transcript';
import type { Precision } from '../protocol/messages';

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

/** A stretch of audio that contains speech, in samples at 16 kHz. */
export interface SpeechRegion {
  start: number;
  end: number;
}

export interface DecodeOptions {
  /** 'auto' or a language code ('pt', 'en', ...). */
  language: string;
  task?: 'transcribe' | 'translate';
  initialPrompt?: string;
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
  /** 0–100 over the whole input. */
  onProgress?: (percent: number) => void;
}

export interface DecodeResult {
  /** The language used (detected when 'auto'; 'und' when 'auto' found no speech to detect from). */
  language: string;
  segments: Segment[];
  /** Where the time went, for benchmarks and diagnostics. */
  stats?: DecodeStats;
}

export interface DecodeStats {
  /** Seconds of audio actually decoded (only the speech when VAD regions were given). */
  decodedSeconds: number;
  melMs: number;
  encoderRuns: number;
  encoderMs: number;
  /** Decoder runs (the first run of a pass feeds the whole prompt, the others one token). */
  decoderSteps: number;
  decoderMs: number;
  /** Extra decoding passes run by the temperature fallback (retries at T > 0). */
  fallbacks: number;
  /** Windows skipped as silence (digital-silence gate or the no-speech rule). */
  silentWindows: number;
  /** Where the audio went, in seconds (`--verbose`): speech found by the VAD (undefined without VAD)... */
  vadSpeechSeconds?: number;
  vadRegions?: number;
  /** ...windows decoded, audio skipped as digital silence and as "no speech" (no text), loops cut... */
  windows: number;
  digitalSilenceSeconds: number;
  noSpeechSeconds: number;
  loopsCut: number;
  /** ...and the seconds the text segments cover. */
  textSeconds: number;
}
