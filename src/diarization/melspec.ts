// librosa-style power mel spectrogram (librosa.feature.melspectrogram defaults, as used by Resemblyzer's GE2E
// encoder): centred frames (n_fft/2 zeros each side), periodic Hann window, |rfft|², Slaney-scale mel
// filters with Slaney area normalisation between fmin and fmax; no log, no mean normalisation.
import { mixedRadixPowerSpectrum, powerSpectrum } from './fft';

export interface MelSpecConfig {
  sampleRate: number;
  nFft: number;
  hop: number;
  /** Window length (≤ nFft); librosa pads it to nFft centred. */
  winLength: number;
  numMelBins: number;
  fmin: number;
  fmax: number;
  center: boolean;
  /** 'slaney' (librosa default) or 'htk'. */
  melScale: 'slaney' | 'htk';
  /** Slaney area normalisation of each triangle. */
  slaneyNorm: boolean;
  power: number;
  /** 'none' | 'log' (natural log with floor) | 'log10'. */
  log: 'none' | 'log' | 'log10';
  logFloor: number;
}

export const RESEMBLYZER_MELSPEC: MelSpecConfig = {
  sampleRate: 16000,
  nFft: 400,
  hop: 160,
  winLength: 400,
  numMelBins: 40,
  fmin: 0,
  fmax: 8000,
  center: true,
  melScale: 'slaney',
  slaneyNorm: true,
  power: 2,
  log: 'none',
  logFloor: 1e-10,
};

const F_SP = 200 / 3;
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOGSTEP = Math.log(6.4) / 27;

export function hzToMel(f: number, scale: 'slaney' | 'htk'): number {
  if (scale === 'htk') return 2595 * Math.log10(1 + f / 700);
  return f >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(Math.max(f, 1e-10) / MIN_LOG_HZ) / LOGSTEP : f / F_SP;
}

export function melToHz(m: number, scale: 'slaney' | 'htk'): number {
  if (scale === 'htk') return 700 * (Math.pow(10, m / 2595) - 1);
  return m >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOGSTEP * (m - MIN_LOG_MEL)) : F_SP * m;
}

/** numMelBins × (nFft/2 + 1), librosa.filters.mel formula. */
export function slaneyFilterbank(c: MelSpecConfig): Float64Array[] {
  const nBins = c.nFft / 2 + 1;
  const fft = Array.from({ length: nBins }, (_, k) => (k * c.sampleRate) / 2 / (nBins - 1));
  const lo = hzToMel(c.fmin, c.melScale);
  const hi = hzToMel(c.fmax, c.melScale);
  const melF = Array.from({ length: c.numMelBins + 2 }, (_, i) => melToHz(lo + ((hi - lo) * i) / (c.numMelBins + 1), c.melScale));
  const out: Float64Array[] = [];
  for (let i = 0; i < c.numMelBins; i++) {
    const row = new Float64Array(nBins);
    const d0 = melF[i + 1] - melF[i];
    const d1 = melF[i + 2] - melF[i + 1];
    const enorm = c.slaneyNorm ? 2 / (melF[i + 2] - melF[i]) : 1;
    for (let k = 0; k < nBins; k++) {
      const lower = (fft[k] - melF[i]) / d0;
      const upper = (melF[i + 2] - fft[k]) / d1;
      row[k] = Math.max(0, Math.min(lower, upper)) * enorm;
    }
    out.push(row);
  }
  return out;
}

const bankCache = new Map<string, { bank: Float64Array[]; window: Float64Array; nfftPow2: number }>();

/** Frames: 1 + floor(len / hop) when centred. Returns row-major frames × bins. */
export function melSpectrogram(
  samples: Float32Array,
  c: MelSpecConfig = RESEMBLYZER_MELSPEC,
  filterbank?: Float64Array[],
): { frames: number; bins: number; data: Float32Array } {
  const key = JSON.stringify(c) + (filterbank ? ':fb' + filterbank.length : '');
  let prep = bankCache.get(key);
  if (!prep) {
    const window = new Float64Array(c.nFft);
    const off = Math.floor((c.nFft - c.winLength) / 2);
    for (let i = 0; i < c.winLength; i++) window[off + i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / c.winLength); // periodic
    let nfftPow2 = 1;
    while (nfftPow2 < c.nFft) nfftPow2 <<= 1;
    prep = { bank: filterbank ?? slaneyFilterbank(c), window, nfftPow2 };
    bankCache.set(key, prep);
  }
  const { bank, window } = prep;
  const pad = c.center ? Math.floor(c.nFft / 2) : 0;
  const total = samples.length + 2 * pad;
  const frames = total < c.nFft ? 0 : 1 + Math.floor((total - c.nFft) / c.hop);
  const bins = c.numMelBins;
  const data = new Float32Array(frames * bins);
  const frame = new Float64Array(c.nFft);
  const nBins = c.nFft / 2 + 1;
  const spec = new Float64Array(nBins);
  for (let f = 0; f < frames; f++) {
    const start = f * c.hop - pad;
    for (let i = 0; i < c.nFft; i++) {
      const idx = start + i;
      frame[i] = idx >= 0 && idx < samples.length ? samples[idx] * window[i] : 0;
    }
    dft(frame, c.nFft, spec, prep.nfftPow2);
    if (c.power !== 2) for (let k = 0; k < nBins; k++) spec[k] = Math.pow(spec[k], c.power / 2);
    for (let m = 0; m < bins; m++) {
      const row = bank[m];
      let e = 0;
      for (let k = 0; k < nBins; k++) e += row[k] * spec[k];
      if (c.log === 'log') e = Math.log(Math.max(e, c.logFloor));
      else if (c.log === 'log10') e = Math.log10(Math.max(e, c.logFloor));
      data[f * bins + m] = e;
    }
  }
  return { frames, bins, data };
}

// |X[k]|² of an n-point real frame: radix-2 FFT for powers of two, mixed-radix otherwise (n = 400).
const plans = new Map<number, (frame: Float64Array, out: Float64Array) => void>();
function dft(frame: Float64Array, n: number, out: Float64Array, nfftPow2: number): void {
  if (n === nfftPow2) {
    powerSpectrum(frame, n, out);
    return;
  }
  let plan = plans.get(n);
  if (!plan) {
    plan = mixedRadixPowerSpectrum(n);
    plans.set(n, plan);
  }
  plan(frame, out);
}
