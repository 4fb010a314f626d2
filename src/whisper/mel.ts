// Whisper's log-mel front end, reproduced step by step from openai/whisper audio.py
// (log_mel_spectrogram) and the transformers WhisperFeatureExtractor, which agree:
//   STFT: n_fft 400, hop 160, periodic Hann, center=True with reflect padding, power spectrum,
//   the last STFT frame dropped → floor(samples / 160) frames;
//   mel: librosa's slaney-scale, slaney-normalised triangular filterbank (80 or 128 bins, 0–8 kHz);
//   log10(max(mel, 1e-10)), floor at (global max − 8), then (x + 4) / 4.
// The model sees 30 s windows of 3000 frames; a short last window is padded with zeros in this
// normalised log-mel domain (openai's pad_or_trim on the mel segment).
import { arraySource, asSource, type SampleSource } from '../audio/source';
import { RealPowerSpectrum } from '../dsp/fft';
import { melFilterbank } from '../dsp/mel';
import { hannPeriodic } from '../dsp/window';
import { SAMPLE_RATE } from '../vocabulary';

export const N_FFT = 400;
export const HOP_LENGTH = 160;
export const CHUNK_SECONDS = 30;
/** Frames in one 30 s encoder window. */
export const N_FRAMES = (CHUNK_SECONDS * SAMPLE_RATE) / HOP_LENGTH; // 3000
export const N_FREQS = N_FFT / 2 + 1; // 201

/** Power below this is clamped before log10 (Whisper's 1e-10). */
export const LOG_FLOOR = 1e-10;
/** Whisper keeps 8 decades (80 dB) below the loudest bin. */
export const DYNAMIC_RANGE_DECADES = 8;
/** Whisper's final affine normalisation (x + 4) / 4. */
const NORM_OFFSET = 4;
const NORM_SCALE = 4;

/** Sparse row of the filterbank: weights for FFT bins [first, first + weights.length). */
export interface MelFilter {
  first: number;
  weights: Float64Array;
}

/** Whisper's filterbank (librosa.filters.mel(sr=16000, n_fft=400, n_mels), 0–8 kHz), kept sparse: each triangle spans few bins. */
export function whisperFilterbank(nMels: number): MelFilter[] {
  return melFilterbank({ sampleRate: SAMPLE_RATE, nFft: N_FFT, nMels, fmin: 0, fmax: SAMPLE_RATE / 2 }).map((row) => {
    const first = row.findIndex((w) => w > 0);
    if (first < 0) return { first: 0, weights: new Float64Array(0) };
    let last = row.length - 1;
    while (row[last] === 0) last--;
    return { first, weights: row.slice(first, last + 1) };
  });
}

/** Normalised log-mel of a whole signal, stored mel-major: data[mel * nFrames + frame]. */
export interface LogMel {
  nMels: number;
  nFrames: number;
  data: Float32Array;
}

const filterbankCache = new Map<number, MelFilter[]>();

function cachedFilterbank(nMels: number): MelFilter[] {
  let fb = filterbankCache.get(nMels);
  if (!fb) {
    fb = whisperFilterbank(nMels);
    filterbankCache.set(nMels, fb);
  }
  return fb;
}

/** torch reflect padding index: mirrors around the edge sample without repeating it. */
function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - j;
  return j;
}

/**
 * Whisper's log-mel of 16 kHz mono samples: floor(samples / 160) frames.
 * The samples are treated as followed by zeros (openai pads 30 s of zeros before the STFT), so the
 * frames near the end see silence, not a reflection of the last words.
 */
/** Frames computed between two yields of WindowedLogMel.create (30 s of audio). */
const FRAMES_PER_YIELD = 3000;

/**
 * The log-mel computation, frame block by frame block, into any [nMels × stride] target: the whole spectrogram,
 * or one window of it. Frames are independent; only the floor (max − 8 decades) needs every frame's maximum.
 */
class LogMelFrames {
  private readonly filters: ReturnType<typeof cachedFilterbank>;
  readonly nFrames: number;
  private readonly paddedLength: number;
  private readonly window = hannPeriodic(N_FFT);
  private readonly spectrum = new RealPowerSpectrum(N_FFT);
  private readonly frame = new Float64Array(N_FFT);
  private readonly power = new Float64Array(N_FREQS);
  /** Largest log10 value among the frames computed so far. */
  maxLog = -Infinity;

  constructor(
    private readonly source: SampleSource,
    readonly nMels: number,
  ) {
    this.filters = cachedFilterbank(nMels);
    this.nFrames = Math.floor(source.length / HOP_LENGTH);
    // Zero tail as in openai's padding, then torch.stft(center=True) reflect-pads n_fft/2 each side.
    this.paddedLength = source.length + N_FFT; // enough zeros that every kept frame's right edge is real or zero
  }

  /** Computes frames [from, to) into target[m * stride + (f − offset)] (log10 values, before the floor). */
  compute(from: number, to: number, target: Float32Array, stride: number, offset: number): void {
    const { frame, power, window, filters, nMels } = this;
    const half = N_FFT / 2;
    if (to <= from) return;
    // The samples these frames see, read once (the reflection at the start stays inside the first n_fft/2).
    const base = Math.max(0, from * HOP_LENGTH - half);
    const block = this.source.read(base, (to - 1) * HOP_LENGTH - half + N_FFT);
    const length = this.source.length;
    const at = (i: number): number => (i < length ? block[i - base] : 0);
    for (let f = from; f < to; f++) {
      const start = f * HOP_LENGTH - half;
      for (let i = 0; i < N_FFT; i++) {
        const idx = start + i;
        const x = idx >= 0 ? at(idx) : at(reflectIndex(idx, this.paddedLength));
        frame[i] = x * window[i];
      }
      this.spectrum.compute(frame, power);
      for (let m = 0; m < nMels; m++) {
        const { first, weights } = filters[m];
        let sum = 0;
        for (let k = 0; k < weights.length; k++) sum += weights[k] * power[first + k];
        const v = Math.log10(Math.max(sum, LOG_FLOOR));
        target[m * stride + f - offset] = v;
        if (v > this.maxLog) this.maxLog = v;
      }
    }
  }
}

/** Whisper's floor and scaling, in place: max(v, maxLog − 8), then (v + 4) / 4. */
function normalize(values: Float32Array, maxLog: number, from = 0, to = values.length): void {
  const floor = maxLog - DYNAMIC_RANGE_DECADES;
  for (let i = from; i < to; i++) {
    const v = values[i] < floor ? floor : values[i];
    values[i] = (v + NORM_OFFSET) / NORM_SCALE;
  }
}

export function logMelSpectrogram(samples: Float32Array, nMels: number, signal?: AbortSignal): LogMel {
  const b = new LogMelFrames(arraySource(samples), nMels);
  const data = new Float32Array(nMels * b.nFrames);
  for (let f = 0; f < b.nFrames && !signal?.aborted; f += 1000) b.compute(f, Math.min(b.nFrames, f + 1000), data, b.nFrames, 0);
  normalize(data, b.maxLog);
  return { nMels, nFrames: b.nFrames, data };
}

const yieldToEventLoop = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Log-mel windows on demand, for long inputs: one pass finds the global maximum (Whisper's floor depends on
 * it), then each 30 s window is computed when the decoder asks for it. The values equal melWindow over
 * logMelSpectrogram; memory is one window instead of 115 MB per hour, for one extra pass of computation.
 * The first pass yields to the event loop every 30 s of audio: an hour is ~10 s of work, during which a
 * child process must still answer heartbeats and cancels.
 */
export class WindowedLogMel {
  private constructor(
    private readonly frames: LogMelFrames,
    private readonly maxLog: number,
  ) {}

  get nFrames(): number {
    return this.frames.nFrames;
  }

  get nMels(): number {
    return this.frames.nMels;
  }

  static async create(samples: Float32Array | SampleSource, nMels: number, signal?: AbortSignal): Promise<WindowedLogMel> {
    const frames = new LogMelFrames(asSource(samples), nMels);
    const scratch = new Float32Array(nMels * FRAMES_PER_YIELD);
    for (let f = 0; f < frames.nFrames; f += FRAMES_PER_YIELD) {
      if (signal?.aborted) break;
      frames.compute(f, Math.min(frames.nFrames, f + FRAMES_PER_YIELD), scratch, FRAMES_PER_YIELD, f);
      await yieldToEventLoop();
    }
    return new WindowedLogMel(frames, frames.maxLog);
  }

  /** Frames [start, start + count) as a [nMels, 3000] block, zero past `count` (as melWindow). */
  window(start: number, count: number, out?: Float32Array): Float32Array {
    const nMels = this.frames.nMels;
    const window = out ?? new Float32Array(nMels * N_FRAMES);
    window.fill(0);
    const n = Math.max(0, Math.min(count, N_FRAMES, this.frames.nFrames - start));
    this.frames.compute(start, start + n, window, N_FRAMES, start);
    for (let m = 0; m < nMels; m++) normalize(window, this.maxLog, m * N_FRAMES, m * N_FRAMES + n);
    return window;
  }
}

/**
 * The encoder input for frames [start, start + count) of `mel`, as a [nMels, 3000] row-major block;
 * frames past `count` are zero (Whisper's pad_or_trim of the mel segment).
 */
export function melWindow(mel: LogMel, start: number, count: number, out?: Float32Array): Float32Array {
  const window = out ?? new Float32Array(mel.nMels * N_FRAMES);
  window.fill(0);
  const n = Math.max(0, Math.min(count, N_FRAMES, mel.nFrames - start));
  for (let m = 0; m < mel.nMels; m++) {
    const row = mel.data.subarray(m * mel.nFrames + start, m * mel.nFrames + start + n);
    window.set(row, m * N_FRAMES);
  }
  return window;
}
