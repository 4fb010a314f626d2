// Hybrid: spectral clustering proposes the speakers (count by eigengap + labels), agglomerative clustering
// refines them:
//   1. spectral clustering (on pre-clustered centroids when there are more than SPECTRAL_MAX_POINTS points);
//   2. agglomerative merge of the spectral clusters: cluster centroids closer than `threshold` (cosine
//      distance, average linkage) are the same speaker split in two — merged, within the count bounds;
//   3. every point is reassigned to its nearest centroid (REFINE_ITERATIONS passes), which fixes points the
//      spectral embedding put on the wrong side and removes clusters that end up empty.
import { clampCount, type CountBounds } from '../count';
import { canonicalLabels, cosineMatrix, dot, l2normalize, mean, type Vector } from '../vectors';
import { cutAfter, cutDendrogram, dendrogram, dendrogramFromSimilarity, type ClusterResult, type Merge } from './agglomerative';
import { spectral, SPECTRAL_MAX_POINTS } from './spectral';

/** Centroids of spectral clusters closer than this (1 − cos) are merged (tuned for the GE2E model). */
export const DEFAULT_HYBRID_MERGE = 0.1;
export const REFINE_ITERATIONS = 3;

export interface HybridOptions {
  bounds: CountBounds;
  /** Centroid merge distance. */
  threshold?: number;
  pval?: number;
  /** The points' dendrogram, when the caller already built it (it is the costly step: O(n²)). */
  tree?: Merge[];
}

export interface HybridResult extends ClusterResult {
  spectralCount: number;
}

function centroids(points: Vector[], labels: number[], k: number): Float32Array[] {
  const groups: Vector[][] = Array.from({ length: k }, () => []);
  labels.forEach((l, i) => groups[l].push(points[i]));
  return groups.map((g) => l2normalize(mean(g, points[0].length)));
}

export function hybrid(points: Vector[], options: HybridOptions): HybridResult {
  const n = points.length;
  const { bounds } = options;
  if (n === 0) return { labels: [], count: 0, spectralCount: 0 };
  // 1. Spectral (on at most SPECTRAL_MAX_POINTS pre-cluster centroids).
  let labels: number[];
  if (n > SPECTRAL_MAX_POINTS) {
    const tree = options.tree ?? dendrogram(points);
    const pre = cutAfter(tree, n, n - SPECTRAL_MAX_POINTS);
    const preCentroids = centroids(points, pre, SPECTRAL_MAX_POINTS);
    const s = spectral(preCentroids, { bounds: { ...bounds, max: Math.min(bounds.max, SPECTRAL_MAX_POINTS) }, pval: options.pval });
    labels = pre.map((p) => s.labels[p]);
  } else {
    labels = spectral(points, { bounds, pval: options.pval }).labels;
  }
  labels = canonicalLabels(labels);
  const spectralCount = new Set(labels).size;
  // 2. Agglomerative merge of over-split clusters.
  let k = spectralCount;
  if (k > 1 && bounds.exact === undefined) {
    const cents = centroids(points, labels, k);
    const sizes = Array.from({ length: k }, (_, c) => labels.filter((l) => l === c).length);
    const tree = dendrogramFromSimilarity(cosineMatrix(cents), k, sizes);
    const merged = cutDendrogram(tree, k, { bounds: { min: bounds.min, max: k }, threshold: options.threshold ?? DEFAULT_HYBRID_MERGE });
    labels = labels.map((l) => merged.labels[l]);
    k = merged.count;
  }
  // 3. Nearest-centroid refinement.
  for (let it = 0; it < REFINE_ITERATIONS && k > 1; it++) {
    const cents = centroids(points, labels, k);
    const next = points.map((p) => {
      let best = 0;
      let bs = -Infinity;
      cents.forEach((c, j) => {
        const s = dot(p, c);
        if (s > bs) {
          bs = s;
          best = j;
        }
      });
      return best;
    });
    const remaining = new Set(next).size;
    if (remaining < clampCount(remaining, bounds)) break; // refinement would violate the lower bound
    labels = canonicalLabels(next);
    k = remaining;
  }
  return { labels, count: k, spectralCount };
}
