// k-means (Lloyd) with k-means++ seeding and a fixed seed, best of several restarts. Used on spectral embeddings.
import { seededRandom } from '../../random';
import { canonicalLabels } from '../vectors';

export const KMEANS_RESTARTS = 10;
export const KMEANS_MAX_ITER = 100;

/** `x` is row-major n×dim. */
export function kmeans(x: Float64Array, n: number, dim: number, k: number, seed = 7): number[] {
  if (k <= 1 || n <= k) return k <= 1 ? new Array<number>(n).fill(0) : Array.from({ length: n }, (_, i) => i);
  const rand = seededRandom(seed);
  let best: number[] = [];
  let bestInertia = Infinity;
  const d2 = (i: number, c: Float64Array, j: number) => {
    let s = 0;
    for (let t = 0; t < dim; t++) {
      const v = x[i * dim + t] - c[j * dim + t];
      s += v * v;
    }
    return s;
  };
  for (let run = 0; run < KMEANS_RESTARTS; run++) {
    const centers = new Float64Array(k * dim);
    const first = Math.floor(rand() * n);
    centers.set(x.subarray(first * dim, first * dim + dim), 0);
    const closest = new Float64Array(n).fill(Infinity);
    for (let c = 1; c < k; c++) {
      let total = 0;
      for (let i = 0; i < n; i++) {
        closest[i] = Math.min(closest[i], d2(i, centers, c - 1));
        total += closest[i];
      }
      let r = rand() * total;
      let pick = n - 1;
      for (let i = 0; i < n; i++) {
        r -= closest[i];
        if (r <= 0) {
          pick = i;
          break;
        }
      }
      centers.set(x.subarray(pick * dim, pick * dim + dim), c * dim);
    }
    const labels = new Int32Array(n).fill(-1);
    let inertia = 0;
    for (let iter = 0; iter < KMEANS_MAX_ITER; iter++) {
      let changed = false;
      inertia = 0;
      for (let i = 0; i < n; i++) {
        let bj = 0;
        let bd = Infinity;
        for (let j = 0; j < k; j++) {
          const d = d2(i, centers, j);
          if (d < bd) {
            bd = d;
            bj = j;
          }
        }
        inertia += bd;
        if (labels[i] !== bj) {
          labels[i] = bj;
          changed = true;
        }
      }
      if (!changed) break;
      centers.fill(0);
      const counts = new Int32Array(k);
      for (let i = 0; i < n; i++) {
        counts[labels[i]]++;
        for (let t = 0; t < dim; t++) centers[labels[i] * dim + t] += x[i * dim + t];
      }
      for (let j = 0; j < k; j++) {
        if (counts[j] === 0) {
          const i = Math.floor(rand() * n); // empty cluster: reseed on a random point
          centers.set(x.subarray(i * dim, i * dim + dim), j * dim);
        } else for (let t = 0; t < dim; t++) centers[j * dim + t] /= counts[j];
      }
    }
    if (inertia < bestInertia) {
      bestInertia = inertia;
      best = Array.from(labels);
    }
  }
  return canonicalLabels(best);
}
