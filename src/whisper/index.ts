// The Whisper library's entry points (contract in api.ts).
import type { DecodeOptions, DecodeResult, LoadOptions, WhisperModel } from './api';
import type { SampleSource } from '../audio/source';
import { TranscrevError } from '../errors';
import { transcribe } from './decode';
import { LoadedWhisperModel, loadWhisperModel as load } from './model';

export type { DecodeOptions, DecodeResult, LoadOptions, WhisperModel } from './api';
export type { SpeechRegion } from '../vocabulary';
export { DEFAULT_LONG_FORM_PARAMS, UNDETERMINED_LANGUAGE } from './decode';
export { modelKey, modelLabel } from './modelKey';
export { detectSpeech, loadVad, speechRegionsFromProbabilities, SILERO_DEFAULTS, type Vad, type SpeechRuleOptions } from '../audio/vad';

/**
 * Loads a Whisper model folder (onnx-community layout). INT8 by default; falls back to FP32 with a
 * warning when an INT8 file is missing or broken. Throws TranscrevError('model') naming the folder
 * and the missing or broken file.
 */
export function loadWhisperModel(dir: string, options: LoadOptions): Promise<WhisperModel> {
  return load(dir, options);
}

/** A loaded model with the warnings its load raised (an INT8 → FP32 fallback), replayed to every job using it. */
export interface ModelWithWarnings {
  model: WhisperModel;
  warnings: string[];
}

export async function loadWhisperModelWithWarnings(dir: string, options: Omit<LoadOptions, 'onWarning'>): Promise<ModelWithWarnings> {
  const warnings: string[] = [];
  const model = await load(dir, { ...options, onWarning: (m) => warnings.push(m) });
  return { model, warnings };
}

/**
 * Transcribes 16 kHz mono samples. With options.speech (from detectSpeech) only the speech regions
 * are decoded and times refer to the original samples. Rejects with CancelledError when
 * options.signal fires.
 */
export function transcribeSamples(model: WhisperModel, samples: Float32Array | SampleSource, options: DecodeOptions): Promise<DecodeResult> {
  if (!(model instanceof LoadedWhisperModel)) {
    return Promise.reject(new TranscrevError('internal', 'transcribeSamples needs a model from loadWhisperModel'));
  }
  return transcribe(model, samples, options);
}
