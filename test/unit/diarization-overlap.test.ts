// The overlap-aware pipeline's pure parts: chunk layout, aggregation and speaker count (pyannote's numbers),
// centroid clustering with count bounds, reconstruction of overlapping and exclusive turns, chunk filterbanks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregate, framesInside, planChunks, roundHalfEven, speakerCount, type FrameGeometry } from '../../src/diarization/overlap/chunks';
import { centroidMerges, labelsAfter, stepsAbove } from '../../src/diarization/cluster/centroid';
import { clusterLocalSpeakers, clusterPoints, INACTIVE } from '../../src/diarization/overlap/clusterLocalSpeakers';
import { binaryToTurns, reconstruct } from '../../src/diarization/overlap/reconstruct';
import { chunkStepSeconds } from '../../src/diarization/overlap/runOverlapAware';
import { canonicalLabels, l2normalize } from '../../src/diarization/vectors';
import { seededRandom } from '../../src/random';
import { asSource } from '../../src/audio/source';
import { fbank, KALDI_FBANK_DEFAULTS } from '../../src/diarization/fbank';
import { ChunkFbank } from '../../src/diarization/overlap/chunkFbank';

// segmentation-3.0's geometry: 270-sample frames of 991 samples, 589 per 10 s chunk.
const FRAME: FrameGeometry = { start: 0, duration: 991 / 16000, step: 270 / 16000 };
const plan = (samples: number, stepSamples = 16000) =>
  planChunks(samples, { chunkSamples: 160000, stepSamples, framesPerChunk: 589, frame: FRAME, sampleRate: 16000 });

test('rint rounds halves to even, as numpy does', () => {
  assert.deepEqual([0.5, 1.5, 2.5, 3.5, 0.49, 2.51].map(roundHalfEven), [0, 2, 2, 4, 0, 3]);
});

test('chunks: full ones every step, then one padded chunk for the tail; frames placed at rint(start / step)', () => {
  const p = plan(16000 * 25.5);
  // full chunks at 0..15 s (16 of them), the tail 25–25.5 s needs one more at 16 s
  assert.equal(p.starts.length, 17);
  assert.equal(p.starts[16], 16 * 16000);
  assert.equal(p.firstFrame[1], Math.round(16000 / 270));
  assert.equal(p.firstFrame[16], Math.round((16 * 16000) / 270));
  // pyannote: rint((10 + 16 × 1) / step) + 1 frames
  assert.equal(p.totalFrames, Math.round(26 / (270 / 16000)) + 1);
  // no tail: exactly 12 s with 1 s steps → 3 full chunks, no padded one
  assert.equal(plan(16000 * 12).starts.length, 3);
  // shorter than a chunk: one padded chunk at 0
  assert.deepEqual(plan(16000 * 3).starts, [0]);
  assert.deepEqual(plan(0).starts, []);
  assert.ok(framesInside(p, 16000 * 25.5) < p.totalFrames);
  assert.ok((framesInside(p, 16000 * 25.5) - 1) * FRAME.step + FRAME.duration / 2 < 25.5);
});

test('aggregate averages over the chunks that see a frame; sum skips the average', () => {
  const p = plan(16000 * 11); // chunks at 0 and 1 s: frames 0–58 seen once, 59–588 twice
  const v = new Float32Array(2 * 589).fill(NaN);
  for (let f = 0; f < 589; f++) {
    v[f] = 1; // chunk 0 says 1 everywhere
    v[589 + f] = 0; // chunk 1 says 0
  }
  const mean = aggregate(p, v, 1);
  const sum = aggregate(p, v, 1, { sum: true });
  assert.equal(mean[10], 1);
  assert.equal(mean[100], 0.5);
  assert.equal(sum[100], 1);
  assert.equal(mean[p.firstFrame[1] + 588], 0); // only chunk 1
});

test('speaker count: mean of the local counts, rounded half to even, capped', () => {
  const p = plan(16000 * 11);
  const K = 3;
  const activity = new Uint8Array(2 * 589 * K);
  for (let f = 0; f < 589; f++) {
    activity[f * K] = 1;
    activity[f * K + 1] = 1; // chunk 0: two speakers everywhere
    activity[(589 + f) * K] = 1; // chunk 1: one speaker
  }
  const count = speakerCount(p, activity, K);
  assert.equal(count[10], 2); // only chunk 0
  assert.equal(count[100], 2); // (2 + 1) / 2 = 1.5 → 2
  assert.equal(speakerCount(p, activity, K, 1)[10], 1);
});

function blobs(sizes: number[], sigma: number, seed: number): { points: Float32Array[]; truth: number[] } {
  const rand = seededRandom(seed);
  const g = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const centres = sizes.map(() => l2normalize(Float32Array.from({ length: 32 }, g)));
  const points: Float32Array[] = [];
  const truth: number[] = [];
  sizes.forEach((n, c) => {
    for (let i = 0; i < n; i++) {
      points.push(l2normalize(Float32Array.from(centres[c], (x) => x + sigma * g())));
      truth.push(c);
    }
  });
  return { points, truth };
}

test('centroid merges: the most similar pair first; cutting gives the separated blobs', () => {
  const { points, truth } = blobs([10, 12, 9], 0.05, 3);
  const merges = centroidMerges(points);
  assert.equal(merges.length, points.length - 1);
  assert.equal(merges[merges.length - 1].size, points.length);
  const steps = stepsAbove(merges, 0.8);
  assert.equal(steps, points.length - 3);
  assert.deepEqual(canonicalLabels(labelsAfter(points.length, merges, steps)), canonicalLabels(truth));
});

test('clusterPoints: threshold gives the count; bounds move the cut; small clusters join large ones', () => {
  const { points, truth } = blobs([15, 15, 15], 0.05, 5);
  const free = clusterPoints(points, { threshold: 0.8, bounds: { min: 1, max: 8 }, minClusterSize: 12 });
  assert.deepEqual(canonicalLabels(free), canonicalLabels(truth));
  const two = clusterPoints(points, { threshold: 0.8, bounds: { exact: 2, min: 2, max: 2 }, minClusterSize: 12 });
  assert.equal(new Set(two).size, 2);
  const four = clusterPoints(points, { threshold: 0.8, bounds: { min: 4, max: 8 }, minClusterSize: 1 });
  assert.equal(new Set(four).size, 4);
  // 2 outliers (a blob of 2 among 40): too small to be a speaker, they join the nearest
  const withOutliers = blobs([20, 20, 2], 0.05, 7);
  const labels = clusterPoints(withOutliers.points, { threshold: 0.8, bounds: { min: 1, max: 8 }, minClusterSize: 12 });
  assert.equal(new Set(labels).size, 2);
  assert.deepEqual(clusterPoints(points, { threshold: 0.8, bounds: { min: 1, max: 1 }, minClusterSize: 12 }), new Array(45).fill(0));
});

test('local speakers: clustered when they talk alone long enough, the rest assigned to the nearest centroid', () => {
  const { points } = blobs([12, 12], 0.05, 9);
  // 24 chunks × 2 local speakers: local 0 is speaker A, local 1 speaker B in every chunk
  const K = 2;
  const embeddings = Array.from({ length: 24 * K }, (_, i) => {
    const chunk = Math.floor(i / K);
    return i % K === 0 ? points[chunk % 12] : points[12 + (chunk % 12)];
  });
  const cleanFrames = new Int32Array(24 * K).fill(200);
  const activeFrames = new Int32Array(24 * K).fill(200);
  cleanFrames[5] = 3; // too little alone: assigned, not clustered
  activeFrames[7] = cleanFrames[7] = 0; // silent in its chunk
  const r = clusterLocalSpeakers(
    { embeddings, cleanFrames, activeFrames, localSpeakers: K },
    { threshold: 0.8, bounds: { min: 1, max: 8 }, minCleanFrames: 118, minClusterSize: 12, constrained: false },
  );
  assert.equal(r.centroids.length, 2);
  assert.equal(r.clustered, 24 * K - 2);
  assert.equal(r.clusters[7], INACTIVE);
  for (let c = 0; c < 24; c++) if (c !== 3) assert.notEqual(r.clusters[c * K], r.clusters[c * K + 1]);
  assert.equal(r.clusters[5], r.clusters[1]);
});

test('reconstruct: the count says how many talk; overlap kept, exclusive turns pick one', () => {
  const p = plan(16000 * 10);
  const K = 3;
  const activity = new Uint8Array(589 * K);
  for (let f = 0; f < 589; f++) {
    if (f < 300) activity[f * K] = 1; // local 0: first half
    if (f >= 250) activity[f * K + 1] = 1; // local 1: from frame 250 (overlap 250–299)
  }
  const clusters = Int32Array.from([1, 0, INACTIVE]);
  const count = speakerCount(p, activity, K);
  const binary = reconstruct(p, activity, K, clusters, 2, count);
  const frames = framesInside(p, 160000);
  const turns = binaryToTurns(p, binary, 2, frames, 10, (s) => `S${s}`);
  assert.equal(turns.length, 2);
  const [a, b] = turns;
  assert.equal(a.speaker, 'S1');
  assert.ok(Math.abs(a.start - FRAME.duration / 2) < 1e-3);
  assert.ok(b.start < a.end, 'the turns overlap');
  const exclusive = binaryToTurns(
    p,
    reconstruct(
      p,
      activity,
      K,
      clusters,
      2,
      count.map((c) => Math.min(c, 1)),
    ),
    2,
    frames,
    10,
    (s) => `S${s}`,
  );
  for (let i = 1; i < exclusive.length; i++) assert.ok(exclusive[i].start >= exclusive[i - 1].end - 1e-9, 'exclusive turns do not overlap');
  assert.ok(exclusive.reduce((s, t) => s + t.end - t.start, 0) > 9);
});

test('chunk step: 1 s (pyannote) for short recordings, up to 5 s for long ones', () => {
  assert.equal(chunkStepSeconds(30), 1);
  assert.equal(chunkStepSeconds(120), 2);
  assert.equal(chunkStepSeconds(3600), 5);
});

test('chunk filterbanks: the frames shared with the previous chunk are copied, and equal fbank() of each chunk', () => {
  const rand = seededRandom(7);
  const samples = new Float32Array(16000 * 27 + 123).map(() => 0.3 * (rand() - 0.5));
  const source = asSource(samples);
  // As the CAM++ embedder makes them: the mean removal comes later, per speaker.
  const config = { ...KALDI_FBANK_DEFAULTS, cmn: false };
  const direct = (start: number, length: number) => fbank(samples.subarray(start, Math.min(samples.length, start + length)), config);
  const chunks = new ChunkFbank(source, config);
  // every 5 s (shared frames), a chunk skipped (a 10 s step: no sharing), a step of no whole frame (recomputed), the
  // padded tail past the end of the recording
  for (const start of [0, 80000, 160000, 320000, 320050, 400000, 16000 * 22]) {
    const got = chunks.at(start, 160000);
    const want = direct(start, 160000);
    assert.equal(got.frames, want.frames, `frames at ${start}`);
    assert.deepEqual(got.data, want.data, `features at ${start}`);
  }
});
