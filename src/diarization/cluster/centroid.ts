// Agglomerative clustering with centroid linkage on cosine similarity: the two clusters whose mean vectors point
// most the same way merge first (3D-Speaker's merge_by_cos, pyannote's "centroid" method on unit vectors). Each
// cluster keeps the sum of its members, so the similarity of a merged cluster to any other is one dot product away;
// each row keeps its best partner, rescanned only when that partner merged away (about n² work in all).
import type { Vector } from '../vectors';

export interface CentroidMerge {
  /** Cluster ids: leaves 0..n−1, the merge at step s creates cluster n + s. */
  a: number;
  b: number;
  /** Cosine similarity of the two clusters' means when they merged. */
  similarity: number;
  /** Members of the merged cluster. */
  size: number;
}

/** All n − 1 merges, in the order they happen (similarities mostly fall; centroid linkage may invert). */
export function centroidMerges(points: Vector[]): CentroidMerge[] {
  const n = points.length;
  if (n < 2) return [];
  const dim = points[0].length;
  // Slot i holds one live cluster: its sum vector, its id, and its size.
  const sums = points.map((p) => Float64Array.from(p));
  const id = Array.from({ length: n }, (_, i) => i);
  const size = new Array<number>(n).fill(1);
  const alive = new Uint8Array(n).fill(1);
  const dots = new Float64Array(n * n); // sums[i] · sums[j]
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += sums[i][d] * sums[j][d];
      dots[i * n + j] = s;
      dots[j * n + i] = s;
    }
  const cos = (i: number, j: number) => dots[i * n + j] / Math.sqrt(Math.max(1e-30, dots[i * n + i] * dots[j * n + j]));
  const best = new Int32Array(n).fill(-1);
  const bestSim = new Float64Array(n).fill(-Infinity);
  const rescan = (i: number) => {
    best[i] = -1;
    bestSim[i] = -Infinity;
    for (let j = 0; j < n; j++) {
      if (j === i || !alive[j]) continue;
      const s = cos(i, j);
      // Ties go to the lower slot, so the result never depends on scan order details.
      if (s > bestSim[i]) {
        bestSim[i] = s;
        best[i] = j;
      }
    }
  };
  for (let i = 0; i < n; i++) rescan(i);
  const merges: CentroidMerge[] = [];
  for (let step = 0; step < n - 1; step++) {
    let a = -1;
    for (let i = 0; i < n; i++) if (alive[i] && best[i] >= 0 && (a < 0 || bestSim[i] > bestSim[a])) a = i;
    const b = best[a];
    const [keep, gone] = a < b ? [a, b] : [b, a];
    merges.push({ a: Math.min(id[a], id[b]), b: Math.max(id[a], id[b]), similarity: bestSim[a], size: size[a] + size[b] });
    for (let d = 0; d < dim; d++) sums[keep][d] += sums[gone][d];
    size[keep] += size[gone];
    id[keep] = n + step;
    alive[gone] = 0;
    // (S_k + S_g)·S_j = S_k·S_j + S_g·S_j, and the new self product from the old ones.
    const selfDot = dots[keep * n + keep] + 2 * dots[keep * n + gone] + dots[gone * n + gone];
    for (let j = 0; j < n; j++) {
      if (!alive[j] || j === keep) continue;
      const v = dots[keep * n + j] + dots[gone * n + j];
      dots[keep * n + j] = v;
      dots[j * n + keep] = v;
    }
    dots[keep * n + keep] = selfDot;
    rescan(keep);
    for (let j = 0; j < n; j++) {
      if (!alive[j] || j === keep) continue;
      if (best[j] === gone || best[j] === keep) rescan(j);
      else {
        const s = cos(j, keep);
        if (s > bestSim[j]) {
          bestSim[j] = s;
          best[j] = keep;
        }
      }
    }
  }
  return merges;
}

/** Cluster of each leaf after the first `steps` merges, numbered 0.. by first leaf. */
export function labelsAfter(n: number, merges: CentroidMerge[], steps: number): number[] {
  const parent = Array.from({ length: n + merges.length }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (let s = 0; s < Math.min(steps, merges.length); s++) {
    parent[find(merges[s].a)] = n + s;
    parent[find(merges[s].b)] = n + s;
  }
  const number = new Map<number, number>();
  return Array.from({ length: n }, (_, i) => {
    const root = find(i);
    if (!number.has(root)) number.set(root, number.size);
    return number.get(root)!;
  });
}

/** Merges done before the first one below `threshold`: where a greedy merge-while-similar stops. */
export function stepsAbove(merges: CentroidMerge[], threshold: number): number {
  const k = merges.findIndex((m) => m.similarity < threshold);
  return k < 0 ? merges.length : k;
}
