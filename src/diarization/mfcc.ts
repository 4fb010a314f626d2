// MFCCs (Kaldi style: log-mel fbank → orthonormal DCT-II, keep the first NUM_CEPS, c0 dropped by callers that
// want loudness-independent features). Used by the model-free fallback.
import { fbank, KALDI_FBANK_DEFAULTS, type FbankConfig } from './fbank';

export const MFCC_MEL_BINS = 40;
export const NUM_CEPS = 20;

export const MFCC_FBANK: FbankConfig = { ...KALDI_FBANK_DEFAULTS, numMelBins: MFCC_MEL_BINS, cmn: false };

const dctCache = new Map<string, Float64Array>();

export function mfcc(samples: Float32Array, numCeps = NUM_CEPS, config = MFCC_FBANK): { frames: number; ceps: number; data: Float32Array } {
  const fb = fbank(samples, config);
  const m = fb.bins;
  const key = `${m}:${numCeps}`;
  let dct = dctCache.get(key);
  if (!dct) {
    dct = new Float64Array(numCeps * m);
    for (let k = 0; k < numCeps; k++) for (let j = 0; j < m; j++) dct[k * m + j] = Math.sqrt((k === 0 ? 1 : 2) / m) * Math.cos((Math.PI * k * (j + 0.5)) / m);
    dctCache.set(key, dct);
  }
  const data = new Float32Array(fb.frames * numCeps);
  for (let f = 0; f < fb.frames; f++)
    for (let k = 0; k < numCeps; k++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += dct[k * m + j] * fb.data[f * m + j];
      data[f * numCeps + k] = s;
    }
  return { frames: fb.frames, ceps: numCeps, data };
}
