// Overlap-aware diarization, the way pyannote.audio 3.x does it: a segmentation model finds up to 3 local speakers
// per 10 s chunk (at most 2 at once) on chunks that overlap; each local speaker gets an embedding from the frames it
// has to itself; local speakers are clustered into the recording's speakers; at each frame the number of speakers
// the chunks agree on is kept, each picked by how many chunks put them there. The result has overlapping turns
// (two people at once) and, for placing words, exclusive turns (one speaker per frame).
import type { SampleSource } from '../../audio/source';
import { throwIfCancelled } from '../../errors';
import { SAMPLE_RATE } from '../../vocabulary';
import type { CountBounds } from '../count';
import type { Turn } from '../types';
import { framesInside, planChunks, speakerCount } from './chunks';
import { clusterLocalSpeakers, INACTIVE } from './clusterLocalSpeakers';
import type { FbankEmbedder } from './fbankEmbedder';
import { embedLocalSpeakers, MIN_EMBED_FRAMES } from './localEmbeddings';
import { binaryToTurns, reconstruct } from './reconstruct';
import { segmentChunks, type SegmentationModel } from './segmentationModel';

/**
 * Cosine similarity of two clusters' mean CAM++ embeddings below which they are different people. Chosen on the
 * shared speakers/ clips (bench/voices.ts), not on the recordings DER is measured on: one utterance against another,
 * different people reached 0.62 at most and the same person 0.80 in the median; 0.70 lies between. (3D-Speaker's own
 * 0.875, which merges the clusters its spectral step found, split one speaker into several here: the pyannote
 * sample came out as 3 speakers.) On the shared AMI excerpts the corpus DER moves by 1 point over 0.60–0.80
 * (docs/diarization.md).
 */
export const SAME_SPEAKER_COSINE = 0.7;
/** pyannote 3.1's min_cluster_size. */
export const MIN_CLUSTER_SIZE = 12;
/** pyannote's min_active_ratio: a local speaker is clustered when it talks alone for 20 % of its chunk. */
export const MIN_ACTIVE_RATIO = 0.2;
/** Seconds of two people at once after which the recording is taken to have at least two speakers. */
export const MIN_OVERLAP_SECONDS = 1;

export interface OverlapAwareOptions {
  bounds: CountBounds;
  /** Whether the bounds came from the user (then the segmentation's overlap does not raise the minimum). */
  userBounds: boolean;
  /** Seconds between chunk starts. */
  stepSeconds: number;
  signal?: AbortSignal;
  onProgress?: (percent: number) => void;
}

export interface OverlapAwareResult {
  /** Who talks when, two at once where they overlap; speakers SPEAKER_1.. by first appearance. */
  turns: Turn[];
  /** The same with one speaker per moment (the one with the most support), for placing words. */
  exclusiveTurns: Turn[];
  /** Each speaker's mean embedding (label → vector) and the embeddings behind it, for voice profiles. */
  embeddings: { vector: Float32Array; speaker: string }[];
  chunks: number;
  clustered: number;
  /** Seconds with two speakers at once. */
  overlapSeconds: number;
}

export async function diarizeOverlapAware(
  samples: SampleSource,
  segmentation: SegmentationModel,
  embedder: FbankEmbedder,
  options: OverlapAwareOptions,
): Promise<OverlapAwareResult> {
  const progress = (p: number) => options.onProgress?.(Math.max(0, Math.min(100, p)));
  const plan = planChunks(samples.length, {
    chunkSamples: segmentation.chunkSamples,
    // Whole filterbank frames (10 ms), so a chunk's features are the recording's features at that place.
    stepSamples: Math.max(160, Math.round((options.stepSeconds * SAMPLE_RATE) / 160) * 160),
    framesPerChunk: segmentation.framesPerChunk,
    frame: segmentation.frame,
    sampleRate: segmentation.sampleRate,
  });
  const K = segmentation.localSpeakers;
  const F = segmentation.framesPerChunk;
  const activity = await segmentChunks(segmentation, samples, plan, { signal: options.signal, onProgress: (p) => progress(0.3 * p) });
  const inside = framesInside(plan, samples.length);
  const count = speakerCount(
    plan,
    activity,
    K,
    segmentation.powerset.reduce((m, s) => Math.max(m, s.length), 0),
  );
  count.fill(0, inside);
  let overlapFrames = 0;
  for (let g = 0; g < inside; g++) if (count[g] >= 2) overlapFrames++;
  const overlapSeconds = overlapFrames * segmentation.frame.step;
  const empty = { turns: [], exclusiveTurns: [], embeddings: [], chunks: plan.starts.length, clustered: 0, overlapSeconds };
  if (!count.some((c) => c > 0)) return empty;
  throwIfCancelled(options.signal);

  const minAloneFrames = Math.ceil((F * MIN_EMBED_FRAMES * 160) / segmentation.chunkSamples);
  // Clustered local speakers, and the ones whose embeddings make the speakers' voices.
  const minCleanFrames = Math.ceil(MIN_ACTIVE_RATIO * F);
  const local = await embedLocalSpeakers(embedder, samples, plan, activity, K, {
    minAloneFrames,
    signal: options.signal,
    onProgress: (p) => progress(30 + 0.65 * p),
  });
  const bounds = { ...options.bounds };
  if (!options.userBounds && overlapSeconds >= MIN_OVERLAP_SECONDS && bounds.max >= 2) bounds.min = Math.max(bounds.min, 2);
  const { clusters, centroids, clustered } = clusterLocalSpeakers(local, {
    threshold: SAME_SPEAKER_COSINE,
    bounds,
    minCleanFrames,
    minClusterSize: MIN_CLUSTER_SIZE,
    constrained: false,
  });
  const speakers = Math.max(1, centroids.length);
  const maxAtOnce = Math.min(speakers, Math.max(...count));
  for (let g = 0; g < count.length; g++) count[g] = Math.min(count[g], maxAtOnce);
  const binary = reconstruct(plan, activity, K, clusters, speakers, count);
  const exclusive = reconstruct(
    plan,
    activity,
    K,
    clusters,
    speakers,
    count.map((c) => Math.min(c, 1)),
  );

  // Speakers numbered by first appearance.
  const end = samples.length / SAMPLE_RATE;
  const raw = binaryToTurns(plan, binary, speakers, inside, end, (s) => String(s));
  const number = new Map<string, number>();
  for (const t of raw) if (!number.has(t.speaker)) number.set(t.speaker, number.size + 1);
  const label = (s: number) => `SPEAKER_${number.get(String(s)) ?? speakers + s + 1}`;
  const turns = raw.map((t) => ({ ...t, speaker: label(Number(t.speaker)) }));
  const exclusiveTurns = binaryToTurns(plan, exclusive, speakers, inside, end, label);
  const embeddings: { vector: Float32Array; speaker: string }[] = [];
  local.embeddings.forEach((e, i) => {
    if (e && clusters[i] !== INACTIVE && local.cleanFrames[i] >= minCleanFrames && number.has(String(clusters[i])))
      embeddings.push({ vector: e, speaker: label(clusters[i]) });
  });
  progress(100);
  return { turns, exclusiveTurns, embeddings, chunks: plan.starts.length, clustered, overlapSeconds };
}
