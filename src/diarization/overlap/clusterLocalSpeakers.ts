// Local speakers (one per chunk and segmentation output) → speakers of the whole recording, as pyannote's
// AgglomerativeClustering does it: only local speakers with enough speech of their own (not overlapped) are
// clustered; clusters too small to be a speaker give their members to the nearest large one; the count is kept
// within the bounds by cutting the tree elsewhere; then every active local speaker goes to the nearest centroid.
import { maximizeAssignment } from '../hungarian';
import { centroidMerges, labelsAfter, stepsAbove } from '../cluster/centroid';
import type { CountBounds } from '../count';
import { cosineSimilarity, mean, type Vector } from '../vectors';

/** Local speaker with no speech in its chunk. */
export const INACTIVE = -2;

export interface LocalSpeakers {
  /** chunks × localSpeakers embeddings (L2-normalised), null where none could be made. */
  embeddings: (Vector | null)[];
  /** Frames where each local speaker talks alone. */
  cleanFrames: Int32Array;
  /** Frames where each local speaker talks at all (0 = inactive). */
  activeFrames: Int32Array;
  localSpeakers: number;
}

export interface ClusterOptions {
  /** Cosine similarity of two clusters' means below which they stay apart. */
  threshold: number;
  bounds: CountBounds;
  /** Clean frames a local speaker needs to take part in the clustering (pyannote: 20 % of the chunk). */
  minCleanFrames: number;
  /** pyannote's min_cluster_size (12): clusters smaller than min(this, 10 % of the points) are not speakers. */
  minClusterSize: number;
  /** One local speaker per cluster in each chunk (Hungarian), instead of each to its nearest centroid. */
  constrained: boolean;
}

export interface LocalClustering {
  /** Cluster of each local speaker (chunks × localSpeakers), INACTIVE where it does not talk. */
  clusters: Int32Array;
  centroids: Vector[];
  /** Local speakers that were clustered (the rest were assigned). */
  clustered: number;
}

export function clusterLocalSpeakers(local: LocalSpeakers, options: ClusterOptions): LocalClustering {
  const K = local.localSpeakers;
  const total = local.embeddings.length;
  const train: number[] = [];
  for (let i = 0; i < total; i++) if (local.embeddings[i] && local.cleanFrames[i] >= options.minCleanFrames) train.push(i);
  const clusters = new Int32Array(total).fill(INACTIVE);
  const points = train.map((i) => local.embeddings[i]!);
  const trainLabels = clusterPoints(points, options);
  const count = Math.max(0, ...trainLabels) + 1;
  let centroids: Vector[];
  if (!points.length) {
    // Nobody talks alone for long enough anywhere: one speaker, with the mean of whatever embeddings exist.
    const any = local.embeddings.filter((e): e is Vector => !!e);
    centroids = any.length ? [mean(any)] : [];
  } else centroids = Array.from({ length: count }, (_, k) => mean(points.filter((_, j) => trainLabels[j] === k)));
  const chunks = total / K;
  for (let c = 0; c < chunks; c++) {
    const rows: number[] = [];
    for (let k = 0; k < K; k++) if (local.activeFrames[c * K + k] > 0) rows.push(c * K + k);
    if (!rows.length) continue;
    if (centroids.length <= 1) {
      for (const r of rows) clusters[r] = 0;
      continue;
    }
    // Score = cosine similarity to each centroid; a local speaker without an embedding scores lowest everywhere.
    const score = rows.map((r) => centroids.map((ct) => (local.embeddings[r] ? cosineSimilarity(local.embeddings[r]!, ct) : -1)));
    if (options.constrained && rows.length <= centroids.length) {
      // maximizeAssignment wants non-negative scores.
      const assigned = maximizeAssignment(score.map((s) => s.map((v) => v + 1)));
      rows.forEach((r, i) => (clusters[r] = assigned[i]));
    } else rows.forEach((r, i) => (clusters[r] = argmax(score[i])));
  }
  return { clusters, centroids, clustered: points.length };
}

function argmax(v: number[]): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/** Labels 0.. of the clustered points (pyannote AgglomerativeClustering.cluster, centroid linkage on cosine). */
export function clusterPoints(points: Vector[], options: Pick<ClusterOptions, 'threshold' | 'bounds' | 'minClusterSize'>): number[] {
  const n = points.length;
  if (n <= 1 || options.bounds.max < 2) return new Array<number>(n).fill(0);
  const minSize = Math.min(options.minClusterSize, Math.max(1, Math.round(0.1 * n)));
  const merges = centroidMerges(points);
  const large = (labels: number[]) => {
    const sizes = new Map<number, number>();
    for (const l of labels) sizes.set(l, (sizes.get(l) ?? 0) + 1);
    return [...sizes].filter(([, s]) => s >= minSize).map(([l]) => l);
  };
  const natural = stepsAbove(merges, options.threshold);
  let labels = labelsAfter(n, merges, natural);
  const found = large(labels).length;
  const target = options.bounds.exact ?? (found < options.bounds.min ? options.bounds.min : found > options.bounds.max ? options.bounds.max : undefined);
  if (target !== undefined && found !== target) {
    // Other cuts, nearest to the natural one first; the one whose large clusters come closest to the target wins.
    let bestSteps = natural;
    let bestFound = found;
    const order = Array.from({ length: n }, (_, s) => s).sort((x, y) => Math.abs(x - natural) - Math.abs(y - natural) || x - y);
    for (const steps of order) {
      const l = labelsAfter(n, merges, steps);
      const f = large(l).length;
      if (Math.abs(f - target) < Math.abs(bestFound - target)) {
        bestSteps = steps;
        bestFound = f;
      }
      if (f === target) break;
    }
    labels = labelsAfter(n, merges, bestSteps);
  }
  const keep = large(labels);
  if (!keep.length) return new Array<number>(n).fill(0);
  // Members of small clusters join the large cluster whose centroid is most similar.
  const centroids = keep.map((l) => mean(points.filter((_, i) => labels[i] === l)));
  const index = new Map(keep.map((l, k) => [l, k]));
  return labels.map((l, i) => index.get(l) ?? argmax(centroids.map((c) => cosineSimilarity(points[i], c))));
}
