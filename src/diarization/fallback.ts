// Model-free speaker features, used when the speaker model is missing or fails to load/run: per window, the
// mean and standard deviation of MFCC 1..19 (c0 — loudness — left out), each dimension z-scored across the
// recording's windows, then clustered with the same cosine agglomerative clustering. Much weaker than a neural
// embedding (it separates voices by timbre and channel, not identity); callers report it as 'fallback-mfcc'.
import { asSource, type SampleSource } from '../audio/source';
import { mfcc } from './mfcc';
import type { WindowPlan } from './windows';

/** Cosine-distance threshold for the automatic count on z-scored MFCC statistics. */
export const FALLBACK_AHC_THRESHOLD = 1.15;

export function mfccStatistics(input: Float32Array | SampleSource, windows: WindowPlan[]): Float32Array[] {
  const samples = asSource(input);
  const raw = windows.map((w) => {
    const m = mfcc(samples.read(w.start, w.end));
    const ceps = m.ceps;
    const dims = ceps - 1;
    const v = new Float32Array(2 * dims);
    if (!m.frames) return v;
    for (let k = 1; k < ceps; k++) {
      let s = 0;
      let s2 = 0;
      for (let f = 0; f < m.frames; f++) {
        const x = m.data[f * ceps + k];
        s += x;
        s2 += x * x;
      }
      const mean = s / m.frames;
      v[k - 1] = mean;
      v[dims + k - 1] = Math.sqrt(Math.max(0, s2 / m.frames - mean * mean));
    }
    return v;
  });
  return zscore(raw);
}

export function zscore(rows: Float32Array[]): Float32Array[] {
  if (!rows.length) return rows;
  const d = rows[0].length;
  const mu = new Float64Array(d);
  const sd = new Float64Array(d);
  for (const r of rows) for (let i = 0; i < d; i++) mu[i] += r[i] / rows.length;
  for (const r of rows) for (let i = 0; i < d; i++) sd[i] += (r[i] - mu[i]) ** 2 / rows.length;
  for (let i = 0; i < d; i++) sd[i] = Math.sqrt(sd[i]) || 1;
  return rows.map((r) => Float32Array.from(r, (x, i) => (x - mu[i]) / sd[i]));
}
