// Silero VAD v5 on onnxruntime-node, and Silero's own rules for turning per-window speech
// probabilities into speech regions (silero-vad utils_vad.get_speech_timestamps).
//
// The model (see ~/.cache/transcrevai/models/vad/vad.json) takes, per 512-sample window at 16 kHz,
//   input [1, 64 + 512]: the last 64 samples of the previous call's input, then the next 512 samples
//   state [2, 1, 128]:   zeros at stream start, then the previous call's stateN
//   sr    int64 scalar:  16000
// and returns output [1, 1] (speech probability) and stateN. The context and the state carry the
// stream: windows must be fed in order, and both reset for each independent stream.
import * as fs from 'fs';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { SAMPLE_RATE, type SpeechRegion } from '../vocabulary';
import { TranscrevError, throwIfCancelled } from '../errors';
import { asSource, BLOCK_SAMPLES, type SampleSource } from './source';

export const VAD_WINDOW_SAMPLES = 512;
export const VAD_CONTEXT_SAMPLES = 64;
const STATE_SHAPE = [2, 1, 128] as const;

/** Silero's get_speech_timestamps parameters, with its defaults. */
export interface SpeechRuleOptions {
  /** A window is speech at or above this probability. */
  threshold: number;
  /** A window is silence below this probability; Silero uses threshold − 0.15, floored at 0.01. */
  negThreshold?: number;
  /** Regions shorter than this are dropped. */
  minSpeechMs: number;
  /** Silence must last this long to end a region. */
  minSilenceMs: number;
  /** Each region is widened by this much on both sides (less when neighbours are close). */
  speechPadMs: number;
  /** Regions longer than this are split at the last silence (Infinity = never). */
  maxSpeechSeconds: number;
}

export const SILERO_DEFAULTS: SpeechRuleOptions = {
  threshold: 0.5,
  minSpeechMs: 250,
  minSilenceMs: 100,
  speechPadMs: 30,
  maxSpeechSeconds: Infinity,
};

/** Silero splits an over-long region at a silence of at least this length. */
const MIN_SILENCE_AT_MAX_SPEECH_MS = 98;
/** Floor of the derived negative threshold (as in Silero). */
const MIN_NEG_THRESHOLD = 0.01;
/** Gap between the positive and negative thresholds (hysteresis). */
const NEG_THRESHOLD_GAP = 0.15;

export interface Vad {
  readonly path: string;
  readonly session: ort.InferenceSession;
  dispose(): Promise<void>;
}

/** Loads silero_vad.onnx from a file path or from a folder containing it. */
export async function loadVad(modelPath: string, options: { threads?: number } = {}): Promise<Vad> {
  const file = fs.existsSync(modelPath) && fs.statSync(modelPath).isDirectory() ? path.join(modelPath, 'silero_vad.onnx') : modelPath;
  if (!fs.existsSync(file)) throw new TranscrevError('model', `VAD model not found: ${file}`);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(file, {
      executionProviders: ['cpu'],
      // The VAD is tiny; one thread avoids contending with Whisper for the core budget.
      intraOpNumThreads: options.threads ?? 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
  } catch (err) {
    throw new TranscrevError('model', `VAD model ${file} failed to load: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  for (const name of ['input', 'state', 'sr']) {
    if (!session.inputNames.includes(name)) {
      throw new TranscrevError('model', `VAD model ${file} has inputs [${session.inputNames.join(', ')}], expected input, state, sr (Silero v5)`);
    }
  }
  return { path: file, session, dispose: () => session.release() };
}

/** Windows between progress reports (~8 s of audio). */
const CANCEL_CHECK_EVERY_WINDOWS = 256;

/** What carries a stream across calls: the recurrent state and the last 64 input samples. */
export interface VadCarry {
  state: Float32Array;
  context: Float32Array;
}

/** Speech probability of every 512-sample window (the last one zero-padded), in stream order. */
export async function speechProbabilities(vad: Vad, samples: Float32Array, signal?: AbortSignal): Promise<Float32Array> {
  return (await speechProbabilitiesCarried(vad, samples, undefined, signal)).probs;
}

/**
 * The same, continuing a stream: `carry` from the previous call (undefined at stream start). Live audio is
 * scored in pieces as it arrives; with the carry the pieces score exactly like one stream.
 */
export async function speechProbabilitiesCarried(
  vad: Vad,
  samples: Float32Array,
  carry: VadCarry | undefined,
  signal?: AbortSignal,
): Promise<{ probs: Float32Array; carry: VadCarry }> {
  const nWindows = Math.ceil(samples.length / VAD_WINDOW_SAMPLES);
  const probs = new Float32Array(nWindows);
  const input = new Float32Array(VAD_CONTEXT_SAMPLES + VAD_WINDOW_SAMPLES);
  // The context sits at the end of the previous input, where the copyWithin below expects it.
  if (carry) input.set(carry.context, VAD_WINDOW_SAMPLES);
  const stateSize = STATE_SHAPE[0] * STATE_SHAPE[1] * STATE_SHAPE[2];
  let state: ort.Tensor = new ort.Tensor('float32', carry ? Float32Array.from(carry.state) : new Float32Array(stateSize), [...STATE_SHAPE]);
  const sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(SAMPLE_RATE)]), []);
  for (let w = 0; w < nWindows; w++) {
    if (w % CANCEL_CHECK_EVERY_WINDOWS === 0) throwIfCancelled(signal);
    // Keep the last 64 samples of the previous input as context, then the new window.
    input.copyWithin(0, VAD_WINDOW_SAMPLES, VAD_WINDOW_SAMPLES + VAD_CONTEXT_SAMPLES);
    const start = w * VAD_WINDOW_SAMPLES;
    const window = samples.subarray(start, Math.min(start + VAD_WINDOW_SAMPLES, samples.length));
    input.fill(0, VAD_CONTEXT_SAMPLES);
    input.set(window, VAD_CONTEXT_SAMPLES);
    const out = await vad.session.run({
      input: new ort.Tensor('float32', input.slice(), [1, input.length]),
      state,
      sr,
    });
    probs[w] = (out.output.data as Float32Array)[0];
    state = out.stateN as ort.Tensor;
  }
  return {
    probs,
    carry: { state: Float32Array.from(state.data as Float32Array), context: input.slice(VAD_WINDOW_SAMPLES) },
  };
}

/**
 * Silero's get_speech_timestamps over precomputed window probabilities, in samples.
 * A region starts at the first window ≥ threshold and ends once the probability stays below
 * negThreshold for minSilence; regions shorter than minSpeech are dropped; then each is padded.
 */
export function speechRegionsFromProbabilities(
  probs: ArrayLike<number>,
  nSamples: number,
  options: Partial<SpeechRuleOptions> = {},
  windowSamples = VAD_WINDOW_SAMPLES,
  sampleRate = SAMPLE_RATE,
): SpeechRegion[] {
  const o = { ...SILERO_DEFAULTS, ...options };
  const negThreshold = o.negThreshold ?? Math.max(o.threshold - NEG_THRESHOLD_GAP, MIN_NEG_THRESHOLD);
  const minSpeechSamples = (sampleRate * o.minSpeechMs) / 1000;
  const speechPadSamples = Math.trunc((sampleRate * o.speechPadMs) / 1000);
  const maxSpeechSamples = sampleRate * o.maxSpeechSeconds - windowSamples - 2 * speechPadSamples;
  const minSilenceSamples = (sampleRate * o.minSilenceMs) / 1000;
  const minSilenceSamplesAtMaxSpeech = (sampleRate * MIN_SILENCE_AT_MAX_SPEECH_MS) / 1000;

  const speeches: SpeechRegion[] = [];
  let triggered = false;
  let current: { start?: number; end?: number } = {};
  let tempEnd = 0;
  let prevEnd = 0;
  let nextStart = 0;
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i];
    const pos = windowSamples * i;
    if (p >= o.threshold && tempEnd) {
      tempEnd = 0;
      if (nextStart < prevEnd) nextStart = pos;
    }
    if (p >= o.threshold && !triggered) {
      triggered = true;
      current = { start: pos };
      continue;
    }
    if (triggered && pos - (current.start ?? 0) > maxSpeechSamples) {
      if (prevEnd) {
        speeches.push({ start: current.start!, end: prevEnd });
        current = {};
        if (nextStart < prevEnd) triggered = false;
        else current = { start: nextStart };
        prevEnd = nextStart = tempEnd = 0;
      } else {
        speeches.push({ start: current.start!, end: pos });
        current = {};
        prevEnd = nextStart = tempEnd = 0;
        triggered = false;
        continue;
      }
    }
    if (p < negThreshold && triggered) {
      if (!tempEnd) tempEnd = pos;
      if (pos - tempEnd > minSilenceSamplesAtMaxSpeech) prevEnd = tempEnd;
      if (pos - tempEnd < minSilenceSamples) continue;
      if (tempEnd - current.start! > minSpeechSamples) speeches.push({ start: current.start!, end: tempEnd });
      current = {};
      prevEnd = nextStart = tempEnd = 0;
      triggered = false;
      continue;
    }
  }
  if (current.start !== undefined && nSamples - current.start > minSpeechSamples) {
    speeches.push({ start: current.start, end: nSamples });
  }
  for (let i = 0; i < speeches.length; i++) {
    const s = speeches[i];
    if (i === 0) s.start = Math.max(0, s.start - speechPadSamples);
    if (i !== speeches.length - 1) {
      const next = speeches[i + 1];
      const silence = next.start - s.end;
      if (silence < 2 * speechPadSamples) {
        s.end += Math.floor(silence / 2);
        next.start = Math.max(0, next.start - Math.floor(silence / 2));
      } else {
        s.end = Math.min(nSamples, s.end + speechPadSamples);
        next.start = Math.max(0, next.start - speechPadSamples);
      }
    } else {
      s.end = Math.min(nSamples, s.end + speechPadSamples);
    }
  }
  return speeches;
}

/**
 * Runs the VAD over 16 kHz mono samples (an array, or a journal read 30 s at a time with the state carried across
 * blocks, which scores exactly like one pass) and returns the speech regions in samples.
 */
export async function detectSpeech(
  vad: Vad,
  input: Float32Array | SampleSource,
  options: Partial<SpeechRuleOptions> & {
    signal?: AbortSignal;
    onProgress?: (percent: number) => void;
    /** Called before each block of about 30 s (a caller may wait there for more urgent work). */
    beforeBlock?: () => void;
  } = {},
): Promise<SpeechRegion[]> {
  const source = asSource(input);
  const probs = new Float32Array(Math.ceil(source.length / VAD_WINDOW_SAMPLES));
  let carry: VadCarry | undefined;
  for (let at = 0; at < source.length; at += BLOCK_SAMPLES) {
    options.beforeBlock?.();
    const block = source.read(at, Math.min(source.length, at + BLOCK_SAMPLES));
    const r = await speechProbabilitiesCarried(vad, block, carry, options.signal);
    probs.set(r.probs, at / VAD_WINDOW_SAMPLES);
    carry = r.carry;
    options.onProgress?.(Math.floor((100 * Math.min(source.length, at + BLOCK_SAMPLES)) / source.length));
  }
  return speechRegionsFromProbabilities(probs, source.length, options);
}
