// Mel scales and the Slaney filterbank (librosa.filters.mel: slaney scale, slaney area normalisation), shared by
// Whisper's log-mel (80/128 bins, 0–8 kHz, the matrix Whisper ships in mel_filters.npz) and the speaker model's
// mel spectrogram (Resemblyzer: 40 bins). Kaldi's fbank uses its own 1127·ln(1 + f/700) scale (fbank.ts).

const SLANEY_F_SP = 200 / 3;
const SLANEY_MIN_LOG_HZ = 1000;
const SLANEY_MIN_LOG_MEL = SLANEY_MIN_LOG_HZ / SLANEY_F_SP; // 15
const SLANEY_LOG_STEP = Math.log(6.4) / 27;

export type MelScale = 'slaney' | 'htk';

export function hzToMel(hz: number, scale: MelScale = 'slaney'): number {
  if (scale === 'htk') return 2595 * Math.log10(1 + hz / 700);
  return hz >= SLANEY_MIN_LOG_HZ ? SLANEY_MIN_LOG_MEL + Math.log(hz / SLANEY_MIN_LOG_HZ) / SLANEY_LOG_STEP : hz / SLANEY_F_SP;
}

export function melToHz(mel: number, scale: MelScale = 'slaney'): number {
  if (scale === 'htk') return 700 * (Math.pow(10, mel / 2595) - 1);
  return mel >= SLANEY_MIN_LOG_MEL ? SLANEY_MIN_LOG_HZ * Math.exp(SLANEY_LOG_STEP * (mel - SLANEY_MIN_LOG_MEL)) : SLANEY_F_SP * mel;
}

export interface FilterbankSpec {
  sampleRate: number;
  nFft: number;
  nMels: number;
  fmin: number;
  fmax: number;
  scale?: MelScale;
  /** Slaney area normalisation of each triangle (librosa's norm='slaney'). */
  areaNormalised?: boolean;
}

/** nMels × (nFft/2 + 1) triangular filters, librosa.filters.mel's formula. */
export function melFilterbank(spec: FilterbankSpec): Float64Array[] {
  const { sampleRate, nFft, nMels, fmin, fmax } = spec;
  const scale = spec.scale ?? 'slaney';
  const nBins = Math.floor(nFft / 2) + 1;
  const fftFreqs = Array.from({ length: nBins }, (_, k) => (k * (sampleRate / 2)) / (nBins - 1));
  const lo = hzToMel(fmin, scale);
  const hi = hzToMel(fmax, scale);
  const melF = Array.from({ length: nMels + 2 }, (_, i) => melToHz(lo + ((hi - lo) * i) / (nMels + 1), scale));
  const rows: Float64Array[] = [];
  for (let m = 0; m < nMels; m++) {
    const row = new Float64Array(nBins);
    const lowerDiff = melF[m + 1] - melF[m];
    const upperDiff = melF[m + 2] - melF[m + 1];
    const enorm = spec.areaNormalised === false ? 1 : 2 / (melF[m + 2] - melF[m]);
    for (let k = 0; k < nBins; k++) {
      const lower = (fftFreqs[k] - melF[m]) / lowerDiff;
      const upper = (melF[m + 2] - fftFreqs[k]) / upperDiff;
      row[k] = Math.max(0, Math.min(lower, upper)) * enorm;
    }
    rows.push(row);
  }
  return rows;
}
