// Clustering methods on synthetic embeddings: well-separated Gaussian clusters on the unit sphere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agglomerative, dendrogram } from '../../src/diarization/cluster/agglomerative';
import { neighbourCount, prunedAffinity, spectral } from '../../src/diarization/cluster/spectral';
import { neighbourWeights } from '../../src/diarization/cluster/neighbourWeights';
import { hybrid } from '../../src/diarization/cluster/hybrid';
import { symmetricEigen } from '../../src/diarization/cluster/eigen';
import { countBounds } from '../../src/diarization/count';
import { chooseMethod } from '../../src/diarization/choose';
import { l2normalize, canonicalLabels } from '../../src/diarization/vectors';
import { seededRandom } from '../../src/random';

const DIM = 64;

function gauss(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
}

/** `sizes[c]` points around random unit centre c, noise σ per dimension. Returns points and true labels. */
function blobs(sizes: number[], sigma = 0.05, seed = 1): { points: Float32Array[]; truth: number[] } {
  const rand = seededRandom(seed);
  const centres = sizes.map(() => l2normalize(Float32Array.from({ length: DIM }, () => gauss(rand))));
  const points: Float32Array[] = [];
  const truth: number[] = [];
  // interleave clusters like turns in a conversation
  const left = [...sizes];
  let c = 0;
  while (left.some((x) => x > 0)) {
    const runLen = 1 + Math.floor(rand() * 4);
    for (let r = 0; r < runLen && left[c] > 0; r++, left[c]--) {
      points.push(l2normalize(Float32Array.from(centres[c], (v) => v + sigma * gauss(rand))));
      truth.push(c);
    }
    c = (c + 1) % sizes.length;
  }
  return { points, truth };
}

function samePartition(a: number[], b: number[]): boolean {
  return JSON.stringify(canonicalLabels(a)) === JSON.stringify(canonicalLabels(b));
}

const METHODS = {
  agglomerative: (p: Float32Array[], b: ReturnType<typeof countBounds>) => agglomerative(p, { bounds: b }),
  spectral: (p: Float32Array[], b: ReturnType<typeof countBounds>) => spectral(p, { bounds: b }),
  hybrid: (p: Float32Array[], b: ReturnType<typeof countBounds>) => hybrid(p, { bounds: b }),
};

for (const [name, run] of Object.entries(METHODS)) {
  test(`${name}: exact recovery of 2, 3 and 4 well-separated speakers (automatic count)`, () => {
    for (const sizes of [
      [30, 20],
      [25, 15, 30],
      [12, 30, 20, 18],
    ]) {
      const { points, truth } = blobs(sizes, 0.05, sizes.length);
      const r = run(points, countBounds({}, points.length));
      assert.equal(r.count, sizes.length, `${name} count for ${sizes}`);
      assert.ok(samePartition(r.labels, truth), `${name} labels for ${sizes}`);
    }
  });

  test(`${name}: forced count and min/max bounds`, () => {
    const { points, truth } = blobs([20, 20, 20], 0.05, 9);
    const forced = run(points, countBounds({ speakers: 3 }, points.length));
    assert.equal(forced.count, 3);
    assert.ok(samePartition(forced.labels, truth));
    const two = run(points, countBounds({ speakers: 2 }, points.length));
    assert.equal(two.count, 2);
    // max bound below the true count
    assert.equal(run(points, countBounds({ maxSpeakers: 2 }, points.length)).count, 2);
    // min bound above the true count
    assert.equal(run(points, countBounds({ minSpeakers: 4 }, points.length)).count, 4);
    // bounds that contain the truth do not change it
    const bounded = run(points, countBounds({ minSpeakers: 2, maxSpeakers: 5 }, points.length));
    assert.equal(bounded.count, 3);
    assert.ok(samePartition(bounded.labels, truth));
  });
}

test('agglomerative and hybrid: one speaker stays one', () => {
  const { points } = blobs([40], 0.05, 3);
  assert.equal(agglomerative(points, { bounds: countBounds({}, 40) }).count, 1);
  assert.equal(hybrid(points, { bounds: countBounds({}, 40) }).count, 1);
});

test('dendrogram: average linkage on a line', () => {
  // 2-D unit vectors at angles 0°, 10°, 90°: first merge 0/1 at 1−cos10°, then with 2 at mean(1−cos90°, 1−cos80°).
  const v = (deg: number) => Float32Array.of(Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180));
  const tree = dendrogram([v(0), v(10), v(90)]);
  assert.equal(tree.length, 2);
  assert.ok(Math.abs(tree[0].distance - (1 - Math.cos(Math.PI / 18))) < 1e-6);
  assert.ok(Math.abs(tree[1].distance - (1 + 1 - Math.cos((80 * Math.PI) / 180)) / 2) < 1e-6);
  assert.deepEqual([tree[1].a, tree[1].b].sort(), [2, 3]);
});

test('eigen-solver: A v = λ v on a random symmetric matrix', () => {
  const n = 40;
  const rand = seededRandom(5);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = rand() - 0.5;
  const { values, vectors } = symmetricEigen(a, n);
  for (let k = 1; k < n; k++) assert.ok(values[k] >= values[k - 1]);
  let err = 0;
  for (let k = 0; k < n; k++)
    for (let i = 0; i < n; i++) {
      let av = 0;
      for (let j = 0; j < n; j++) av += a[i * n + j] * vectors[j * n + k];
      err = Math.max(err, Math.abs(av - values[k] * vectors[i * n + k]));
    }
  assert.ok(err < 1e-10, `residual ${err}`);
});

test('neighbourWeights: full weight for the nearest, a linear fade around keep, same total as a hard cut', () => {
  const w = neighbourWeights(40, 6);
  // keep 6, fade 3: ranks 0–2 full, then 6/7 … 1/7, nothing from rank 9 on
  assert.deepEqual(
    Array.from(w.subarray(0, 10), (x) => Math.round(x * 7)),
    [7, 7, 7, 6, 5, 4, 3, 2, 1, 0],
  );
  assert.ok(Math.abs(w.reduce((s, x) => s + x, 0) - 6) < 1e-12);
  for (const keep of [1, 2, 6, 13, 20]) {
    const v = neighbourWeights(100, keep);
    assert.equal(v[0], 1, 'a point always keeps itself');
    for (let r = 1; r < v.length; r++) assert.ok(v[r] <= v[r - 1]);
    assert.ok(Math.abs(v.reduce((s, x) => s + x, 0) - keep) < 1e-12, `total for keep ${keep}`);
  }
  // fade 0 is the old hard cut
  assert.deepEqual(Array.from(neighbourWeights(8, 3, 0)), [1, 1, 1, 0, 0, 0, 0, 0]);
  // a row shorter than the ramp just loses the tail
  assert.deepEqual(
    Array.from(neighbourWeights(3, 6), (x) => Math.round(x * 7)),
    [7, 7, 7],
  );
});

test('prunedAffinity: two nearly equal neighbours swapping rank at the cut barely change the graph', () => {
  // Random similarities; in row 0 the neighbours ranked keep−1 and keep are made nearly equal, then nudged past
  // each other. A hard cut would switch a whole edge (similarity s ≈ 0.5, halved by the symmetrisation) on or
  // off; with the fade only the weight difference of two neighbouring ranks, s / (2·fade + 1), moves.
  const n = 20;
  const keep = neighbourCount(n);
  const rand = seededRandom(11);
  const base = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) base[i * n + j] = base[j * n + i] = i === j ? 1 : 0.2 + 0.7 * rand();
  const ranked = Array.from({ length: n }, (_, j) => j).sort((p, q) => base[q] - base[p]);
  const [j1, j2] = [ranked[keep - 1], ranked[keep]];
  const s = (base[j1] + base[j2]) / 2;
  const withOrder = (d: number) => {
    const m = Float64Array.from(base);
    m[j1] = m[j1 * n] = s + d;
    m[j2] = m[j2 * n] = s - d;
    return prunedAffinity(m, n);
  };
  const before = withOrder(1e-6);
  const after = withOrder(-1e-6);
  let change = 0;
  for (let i = 0; i < n * n; i++) change = Math.max(change, Math.abs(after[i] - before[i]));
  const fade = Math.round(keep / 2);
  assert.ok(change > 0.01, 'the two neighbours did swap');
  assert.ok(change <= s / (2 * (2 * fade + 1)) + 1e-5, `largest affinity change ${change.toFixed(3)} (a hard cut: ${(s / 2).toFixed(3)})`);
});

test('countBounds validates and clamps', () => {
  assert.deepEqual(countBounds({ speakers: 5 }, 3), { exact: 3, min: 3, max: 3 });
  assert.deepEqual(countBounds({ minSpeakers: 2, maxSpeakers: 4 }, 100), { min: 2, max: 4 });
  assert.throws(() => countBounds({ minSpeakers: 3, maxSpeakers: 2 }, 10));
  assert.throws(() => countBounds({ speakers: 0 }, 10));
});

test('chooseMethod explains its choice', () => {
  const few = blobs([5, 4], 0.05, 2).points;
  const c1 = chooseMethod({ duration: 10, regions: 3, embeddings: few, bounds: countBounds({}, few.length) });
  assert.equal(c1.method, 'agglomerative');
  assert.match(c1.reason, /windows/);
  const many = blobs([40, 40], 0.05, 2).points;
  const c2 = chooseMethod({ duration: 60, regions: 20, embeddings: many, bounds: countBounds({}, many.length) });
  assert.ok(['spectral', 'hybrid'].includes(c2.method));
  assert.ok(c2.reason.length > 10);
});
