// Kaldi-compatible log-mel filterbank (the torchaudio.compliance.kaldi.fbank recipe speaker models are trained
// with), parameterised by the model's frontend.json so the features match what the model saw in training:
//   per frame: [dither] → remove DC → pre-emphasis (x[i] −= c·x[i−1], x[0] −= c·x[0]) → window (povey =
//   Hann^0.85, hamming, hanning, rectangular) → zero-pad to a power of two → |FFT|² → triangular mel filters on
//   the Kaldi mel scale 1127·ln(1 + f/700) between lowFreq and highFreq → log(max(e, floor)) → optional CMN.
import { powerSpectrum } from '../dsp/fft';
import { kaldiWindow, type WindowType } from '../dsp/window';
import { SAMPLE_RATE } from '../vocabulary';

export interface FbankConfig {
  sampleRate: number;
  numMelBins: number;
  frameLengthMs: number;
  frameShiftMs: number;
  window: WindowType;
  preemphasis: number;
  removeDcOffset: boolean;
  /** Kaldi's dither amount; 0 for deterministic inference (the only value supported here). */
  dither: number;
  lowFreq: number;
  /** ≤ 0 means nyquist + highFreq, as in Kaldi. */
  highFreq: number;
  /** Multiplier applied to the [-1, 1] samples first (32768 for models trained on int16-scaled audio). */
  inputScale: number;
  /** Floor inside the log (Kaldi: float32 epsilon). */
  logFloor: number;
  /** Subtract the per-utterance mean of each bin (cepstral mean normalisation). */
  cmn: boolean;
  /** Kaldi snip_edges: only frames fully inside the signal. */
  snipEdges: boolean;
  /** Power (|X|²) rather than magnitude spectrum. */
  usePower: boolean;
}

export const KALDI_FBANK_DEFAULTS: FbankConfig = {
  sampleRate: SAMPLE_RATE,
  numMelBins: 80,
  frameLengthMs: 25,
  frameShiftMs: 10,
  window: 'povey',
  preemphasis: 0.97,
  removeDcOffset: true,
  dither: 0,
  lowFreq: 20,
  highFreq: 0,
  inputScale: 1,
  logFloor: 1.1920928955078125e-7,
  cmn: true,
  snipEdges: true,
  usePower: true,
};

export interface Fbank {
  frames: number;
  bins: number;
  /** Row-major frames × bins. */
  data: Float32Array;
}

export function frameLength(c: FbankConfig): number {
  return Math.round((c.sampleRate * c.frameLengthMs) / 1000);
}
export function frameShift(c: FbankConfig): number {
  return Math.round((c.sampleRate * c.frameShiftMs) / 1000);
}

export function numFrames(samples: number, c: FbankConfig): number {
  const len = frameLength(c);
  const shift = frameShift(c);
  if (c.snipEdges) return samples < len ? 0 : 1 + Math.floor((samples - len) / shift);
  return Math.floor((samples + shift / 2) / shift);
}

const melScale = (f: number) => 1127 * Math.log(1 + f / 700);

/** Triangular filters, bins × (nfft/2 + 1); the Nyquist column is zero as in torchaudio. */
export function melBanks(c: FbankConfig, nfft: number): Float64Array[] {
  const nyquist = c.sampleRate / 2;
  const high = c.highFreq > 0 ? c.highFreq : nyquist + c.highFreq;
  const melLow = melScale(c.lowFreq);
  const melHigh = melScale(high);
  const delta = (melHigh - melLow) / (c.numMelBins + 1);
  const binWidth = c.sampleRate / nfft;
  const banks: Float64Array[] = [];
  for (let m = 0; m < c.numMelBins; m++) {
    const left = melLow + m * delta;
    const centre = melLow + (m + 1) * delta;
    const right = melLow + (m + 2) * delta;
    const row = new Float64Array(nfft / 2 + 1);
    for (let k = 0; k < nfft / 2; k++) {
      const mel = melScale(k * binWidth);
      const up = (mel - left) / (centre - left);
      const down = (right - mel) / (right - centre);
      row[k] = Math.max(0, Math.min(up, down));
    }
    banks.push(row);
  }
  return banks;
}

const cache = new Map<string, { window: Float64Array; banks: Float64Array[]; nfft: number; first: Int32Array; last: Int32Array }>();

function prepared(c: FbankConfig) {
  const key = JSON.stringify(c);
  let p = cache.get(key);
  if (!p) {
    const len = frameLength(c);
    let nfft = 1;
    while (nfft < len) nfft <<= 1;
    const banks = melBanks(c, nfft);
    const first = new Int32Array(banks.length);
    const last = new Int32Array(banks.length);
    banks.forEach((row, m) => {
      first[m] = row.findIndex((v) => v > 0);
      let l = row.length - 1;
      while (l > 0 && row[l] === 0) l--;
      last[m] = l;
    });
    p = { window: kaldiWindow(c.window, len), banks, nfft, first, last };
    cache.set(key, p);
  }
  return p;
}

/** Log-mel features of `samples` (16 kHz floats in [-1, 1]). */
export function fbank(samples: Float32Array, c: FbankConfig = KALDI_FBANK_DEFAULTS): Fbank {
  const len = frameLength(c);
  const shift = frameShift(c);
  const frames = numFrames(samples.length, c);
  const { window, banks, nfft, first, last } = prepared(c);
  const bins = c.numMelBins;
  const data = new Float32Array(frames * bins);
  const frame = new Float64Array(len);
  const spec = new Float64Array(nfft / 2 + 1);
  const offset = c.snipEdges ? 0 : Math.floor(shift / 2) - Math.floor(len / 2);
  for (let f = 0; f < frames; f++) {
    const start = f * shift + offset;
    for (let i = 0; i < len; i++) {
      let idx = start + i;
      // Kaldi reflects at the edges when snip_edges is false.
      if (idx < 0) idx = -idx - 1;
      if (idx >= samples.length) idx = 2 * samples.length - idx - 1;
      frame[i] = samples[Math.max(0, Math.min(samples.length - 1, idx))] * c.inputScale;
    }
    if (c.removeDcOffset) {
      let m = 0;
      for (let i = 0; i < len; i++) m += frame[i];
      m /= len;
      for (let i = 0; i < len; i++) frame[i] -= m;
    }
    if (c.preemphasis) {
      for (let i = len - 1; i > 0; i--) frame[i] -= c.preemphasis * frame[i - 1];
      frame[0] -= c.preemphasis * frame[0];
    }
    for (let i = 0; i < len; i++) frame[i] *= window[i];
    powerSpectrum(frame, nfft, spec);
    if (!c.usePower) for (let k = 0; k < spec.length; k++) spec[k] = Math.sqrt(spec[k]);
    for (let m = 0; m < bins; m++) {
      const row = banks[m];
      let e = 0;
      for (let k = first[m]; k <= last[m]; k++) e += row[k] * spec[k];
      data[f * bins + m] = Math.log(Math.max(e, c.logFloor));
    }
  }
  if (c.cmn) applyCmn({ frames, bins, data });
  return { frames, bins, data };
}

/** Subtracts each bin's mean over the frames, in place. */
export function applyCmn(x: Fbank): Fbank {
  if (!x.frames) return x;
  const meanRow = new Float64Array(x.bins);
  for (let f = 0; f < x.frames; f++) for (let m = 0; m < x.bins; m++) meanRow[m] += x.data[f * x.bins + m];
  for (let m = 0; m < x.bins; m++) meanRow[m] /= x.frames;
  for (let f = 0; f < x.frames; f++) for (let m = 0; m < x.bins; m++) x.data[f * x.bins + m] -= meanRow[m];
  return x;
}
