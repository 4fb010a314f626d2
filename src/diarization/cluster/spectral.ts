// Spectral clustering in the style of Google's SpectralCluster / 3D-Speaker:
//   1. cosine affinity; 2. p-pruning: in each row keep about the strongest `pval` fraction of similarities
//   (at least MIN_PNUM), fading out around that rank instead of cutting (neighbourWeights.ts), zero the rest;
//   symmetrise (A + Aᵀ)/2; 3. normalised Laplacian
//   L = I − D^{-1/2} A D^{-1/2}; 4. eigen-decomposition (our own symmetric solver); the number of speakers is
//   the index of the largest gap among the smallest eigenvalues (within the count bounds); 5. k-means on the
//   row-normalised first k eigenvectors.
import { clampCount, DEFAULT_MAX_SPEAKERS, type CountBounds } from '../count';
import { cosineMatrix, type Vector } from '../vectors';
import { symmetricEigen } from './eigen';
import { kmeans } from './kmeans';
import { neighbourWeights } from './neighbourWeights';
import type { ClusterResult } from './agglomerative';

/** Fraction of each affinity row kept by p-pruning (3D-Speaker uses 0.022 on long recordings; 0.3 was best
 *  on the 30 s shared files: 0.2 over-splits AMI, 0.35 under-splits). */
export const DEFAULT_PVAL = 0.3;
/**
 * Eigengap below which a two-speaker answer is not trusted and the recording is called one speaker (automatic
 * count only, when the bounds allow 1). Measured: true 2-way splits on the shared 30 s files had gaps 0.24–0.47, a
 * harmful split of a 3-speaker AMI excerpt 0.23. With the faded pruning, over 0–30 ms of leading silence: true
 * 2-way splits 0.30–0.50 (pyannote, AMI dev00, trn04), 0.22–0.40 (trn08); the harmful split (trn06) 0.15–0.31, so
 * that excerpt still changes count with the window placement. Not applied to k ≥ 3: with many speakers the gaps
 * are smaller (0.18 for k = 5 on a 6-minute concatenation) while several near-zero eigenvalues already show the
 * structure.
 */
export const MIN_EIGENGAP = 0.24;
/** Minimum number of neighbours kept per row. */
export const MIN_PNUM = 6;
/**
 * Maximum number of neighbours kept per row: on long inputs a fixed fraction keeps so many neighbours that the
 * graph connects everyone (a 6-minute, 200-window concatenation of the shared files collapsed to one speaker at
 * 60 neighbours and found 5 at 10–40).
 */
export const MAX_PNUM = 20;
/** Above this many points the O(n³) eigen-solver gets slow in JS; callers should pre-cluster (hybrid). */
export const SPECTRAL_MAX_POINTS = 600;

export interface SpectralOptions {
  bounds: CountBounds;
  pval?: number;
  /** See MIN_EIGENGAP. */
  minGap?: number;
  /** Weight of each point (e.g. the size of a pre-cluster); scales its affinity row/column. */
  weights?: number[];
}

export interface SpectralResult extends ClusterResult {
  /** Smallest eigenvalues of the Laplacian (up to max+1), for diagnostics. */
  eigenvalues: number[];
  /** Largest eigengap found (relative confidence in the count). */
  gap: number;
}

/** Neighbours each affinity row keeps on average (pval of the points, within MIN_PNUM..MAX_PNUM). */
export function neighbourCount(n: number, pval = DEFAULT_PVAL): number {
  return Math.min(n, Math.max(MIN_PNUM, Math.min(MAX_PNUM, Math.round(pval * n))));
}

export function prunedAffinity(sim: Float64Array, n: number, pval = DEFAULT_PVAL): Float64Array {
  const weight = neighbourWeights(n, neighbourCount(n, pval));
  const a = new Float64Array(n * n);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    const row = sim.subarray(i * n, i * n + n);
    // Ties broken by index, so equal similarities rank the same way on every run.
    order.sort((p, q) => row[q] - row[p] || p - q);
    for (let r = 0; r < n && weight[r] > 0; r++) {
      const j = order[r];
      a[i * n + j] = weight[r] * Math.max(0, row[j]);
    }
  }
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s[i * n + j] = 0.5 * (a[i * n + j] + a[j * n + i]);
  return s;
}

export function normalizedLaplacian(a: Float64Array, n: number): Float64Array {
  const dInvSqrt = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let d = 0;
    for (let j = 0; j < n; j++) d += a[i * n + j];
    dInvSqrt[i] = d > 0 ? 1 / Math.sqrt(d) : 0;
  }
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) l[i * n + j] = (i === j ? 1 : 0) - dInvSqrt[i] * a[i * n + j] * dInvSqrt[j];
  return l;
}

export function spectral(points: Vector[], options: SpectralOptions): SpectralResult {
  const n = points.length;
  if (n === 0) return { labels: [], count: 0, eigenvalues: [], gap: 0 };
  return spectralFromSimilarity(cosineMatrix(points), n, options);
}

export function spectralFromSimilarity(sim: Float64Array, n: number, options: SpectralOptions): SpectralResult {
  const { bounds } = options;
  if (n <= 2 || bounds.max <= 1) {
    const k = n <= 1 || bounds.max <= 1 ? 1 : clampCount(sim[1] < 0.5 ? 2 : 1, bounds);
    return { labels: k === 1 ? new Array<number>(n).fill(0) : [0, 1], count: k, eigenvalues: [], gap: 0 };
  }
  const w = options.weights;
  const s2 = Float64Array.from(sim);
  if (w) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s2[i * n + j] *= Math.sqrt(w[i] * w[j]);
  const affinity = prunedAffinity(s2, n, options.pval);
  const { values, vectors } = symmetricEigen(normalizedLaplacian(affinity, n), n);
  // The gap is searched beyond the caller's bounds and then clamped: when the true count lies outside them,
  // the eigenvalues inside the bounds are all ~equal and their gaps say nothing.
  const upto = Math.min(n - 1, Math.max(bounds.max, DEFAULT_MAX_SPEAKERS));
  const eig = Array.from(values.subarray(0, upto + 1));
  // λ_k − λ_{k−1} large ⇒ k clusters.
  let k = 1;
  let gap = 0;
  for (let c = 1; c <= upto; c++) {
    const g = eig[c] - eig[c - 1];
    if (g > gap) {
      gap = g;
      k = c;
    }
  }
  if (k === 2 && gap < (options.minGap ?? MIN_EIGENGAP) && bounds.min <= 1 && bounds.exact === undefined) k = 1;
  k = Math.max(1, Math.min(n, clampCount(k, bounds)));
  if (k === 1) return { labels: new Array<number>(n).fill(0), count: 1, eigenvalues: eig, gap };
  const emb = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let c = 0; c < k; c++) {
      const v = vectors[i * n + c];
      emb[i * k + c] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm) || 1;
    for (let c = 0; c < k; c++) emb[i * k + c] /= norm;
  }
  const labels = kmeans(emb, n, k, k);
  return { labels, count: new Set(labels).size, eigenvalues: eig, gap };
}
