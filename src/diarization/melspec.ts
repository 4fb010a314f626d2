// librosa-style power mel spectrogram (librosa.feature.melspectrogram defaults, as used by Resemblyzer's GE2E
// encoder): centred frames (n_fft/2 zeros each side), periodic Hann window, |rfft|², Slaney-scale mel
// filters with Slaney area normalisation between fmin and fmax; no log, no mean normalisation.
import { powerSpectrum } from '../dsp/fft';
import { melFilterbank } from '../dsp/mel';
import { hannPeriodic } from '../dsp/window';
import { SAMPLE_RATE } from '../vocabulary';

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
  sampleRate: SAMPLE_RATE,
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

/** numMelBins × (nFft/2 + 1), librosa.filters.mel. */
export function slaneyFilterbank(c: MelSpecConfig): Float64Array[] {
  return melFilterbank({
    sampleRate: c.sampleRate,
    nFft: c.nFft,
    nMels: c.numMelBins,
    fmin: c.fmin,
    fmax: c.fmax,
    scale: c.melScale,
    areaNormalised: c.slaneyNorm,
  });
}

const bankCache = new Map<string, { bank: Float64Array[]; window: Float64Array }>();

/** Frames: 1 + floor(len / hop) when centred. Returns row-major frames × bins. */
export function melSpectrogram(
  samples: Float32Array,
  c: MelSpecConfig = RESEMBLYZER_MELSPEC,
  filterbank?: Float64Array[],
): { frames: number; bins: number; data: Float32Array } {
  const key = JSON.stringify(c) + (filterbank ? ':fb' + filterbank.length : '');
  let prep = bankCache.get(key);
  if (!prep) {
    // librosa pads a shorter window to n_fft, centred.
    const window = new Float64Array(c.nFft);
    window.set(hannPeriodic(c.winLength), Math.floor((c.nFft - c.winLength) / 2));
    prep = { bank: filterbank ?? slaneyFilterbank(c), window };
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
    powerSpectrum(frame, c.nFft, spec);
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
