// Agglomerative hierarchical clustering, cosine distance, average linkage (UPGMA).
// The dendrogram is built with the nearest-neighbour-chain algorithm (O(n²) time, n² memory), then cut either
// at a distance threshold or at a target number of clusters, within the caller's count bounds.
import { clampCount, type CountBounds } from '../count';
import { canonicalLabels, cosineMatrix, type Vector } from '../vectors';

/**
 * Cosine distance (1 − cosine similarity) above which two clusters are considered different speakers.
 * Tuned for the GE2E speaker model (ReLU embeddings: all cosine distances fall in ~0.1–0.6). On the shared 30 s
 * files average linkage at 0.35–0.45 gave the lowest AMI DER of the thresholds tried (0.30–0.45), but it tends to
 * split off outliers rather than speakers (pyannote sample: 46 % DER at k = 2), so the adaptive choice uses it
 * only for recordings with few windows (choose.ts).
 */
export const DEFAULT_AHC_THRESHOLD = 0.4;

export interface Merge {
  a: number;
  b: number;
  distance: number;
}

/** All n−1 merges, ascending by distance. Leaves are 0..n−1; merged clusters are n, n+1, ... in that order. */
export function dendrogram(points: Vector[]): Merge[] {
  return dendrogramFromSimilarity(cosineMatrix(points), points.length);
}

/**
 * `sim` (n × n) is turned into distances in place and consumed: at an hour of speech (n ≈ 3600 windows) a second
 * n² matrix would be another 100 MB.
 */
export function dendrogramFromSimilarity(sim: Float64Array, n: number, weights?: number[]): Merge[] {
  const dist = sim;
  for (let i = 0; i < n * n; i++) dist[i] = 1 - dist[i];
  const size = weights ? Float64Array.from(weights) : new Float64Array(n).fill(1);
  const active = new Uint8Array(n).fill(1);
  const raw: { a: number; b: number; distance: number }[] = []; // a, b are slot ids (slot a keeps the merge)
  const chain: number[] = [];
  let remaining = n;
  while (remaining > 1) {
    if (!chain.length) {
      for (let i = 0; i < n; i++)
        if (active[i]) {
          chain.push(i);
          break;
        }
    }
    for (;;) {
      const x = chain[chain.length - 1];
      const prev = chain.length > 1 ? chain[chain.length - 2] : -1;
      let best = -1;
      let bestD = Infinity;
      for (let j = 0; j < n; j++) {
        if (!active[j] || j === x) continue;
        const d = dist[x * n + j];
        if (d < bestD || (d === bestD && j === prev)) {
          bestD = d;
          best = j;
        }
      }
      if (best === prev) {
        chain.pop();
        chain.pop();
        // merge x and prev into slot min(x, prev); Lance–Williams update for average linkage
        const keep = Math.min(x, prev);
        const gone = Math.max(x, prev);
        const sk = size[keep];
        const sg = size[gone];
        for (let j = 0; j < n; j++) {
          if (!active[j] || j === keep || j === gone) continue;
          const d = (sk * dist[keep * n + j] + sg * dist[gone * n + j]) / (sk + sg);
          dist[keep * n + j] = d;
          dist[j * n + keep] = d;
        }
        size[keep] = sk + sg;
        active[gone] = 0;
        raw.push({ a: keep, b: gone, distance: bestD });
        remaining--;
        break;
      }
      chain.push(best);
    }
  }
  // Convert slot merges to scipy-style ids, in ascending distance order (valid for reducible linkages).
  raw.sort((p, q) => p.distance - q.distance);
  const slotId = Array.from({ length: n }, (_, i) => i);
  return raw.map((m, k) => {
    const merge = { a: slotId[m.a], b: slotId[m.b], distance: m.distance };
    slotId[m.a] = n + k;
    return merge;
  });
}

/** Labels after applying the first `merges` merges of the dendrogram. */
export function cutAfter(tree: Merge[], n: number, merges: number): number[] {
  const parent = Array.from({ length: 2 * n }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  for (let k = 0; k < merges; k++) {
    parent[find(tree[k].a)] = n + k;
    parent[find(tree[k].b)] = n + k;
  }
  return canonicalLabels(Array.from({ length: n }, (_, i) => find(i)));
}

export interface AgglomerativeOptions {
  bounds: CountBounds;
  /** Cosine distance threshold for the automatic count. */
  threshold?: number;
  /** Fixed number of clusters (overrides the threshold, still clamped by bounds). */
  numClusters?: number;
}

export interface ClusterResult {
  labels: number[];
  count: number;
}

export function agglomerative(points: Vector[], options: AgglomerativeOptions): ClusterResult {
  const n = points.length;
  if (n === 0) return { labels: [], count: 0 };
  return cutDendrogram(dendrogram(points), n, options);
}

export function cutDendrogram(tree: Merge[], n: number, options: AgglomerativeOptions): ClusterResult {
  const threshold = options.threshold ?? DEFAULT_AHC_THRESHOLD;
  let k: number;
  if (options.numClusters !== undefined) k = options.numClusters;
  else k = n - tree.filter((m) => m.distance <= threshold).length;
  k = Math.max(1, Math.min(n, clampCount(k, options.bounds)));
  return { labels: cutAfter(tree, n, n - k), count: k };
}
