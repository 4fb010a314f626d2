// Clustering methods on synthetic embeddings: well-separated Gaussian clusters on the unit sphere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agglomerative, dendrogram } from '../../src/diarization/cluster/agglomerative';
import { spectral } from '../../src/diarization/cluster/spectral';
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
    for (const sizes of [[30, 20], [25, 15, 30], [12, 30, 20, 18]]) {
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
