// Adaptive choice of the clustering method from what is known before clustering: duration, number of speech
// regions and windows, the caller's count bounds, and how spread out the embeddings are. Returns the method
// and a one-line reason a user can read in the transcript's warnings/diagnostics.
import { dendrogram, DEFAULT_AHC_THRESHOLD, type Merge } from './cluster/agglomerative';
import { SPECTRAL_MAX_POINTS } from './cluster/spectral';
import type { CountBounds } from './count';
import type { ClusterMethod } from './types';
import type { Vector } from './vectors';

/** Below this many windows the pruned affinity graph is too sparse for a meaningful eigengap. */
export const MIN_WINDOWS_FOR_SPECTRAL = 10;
/** Below this much speech (s) there is rarely enough material per speaker for spectral clustering. */
export const MIN_SPEECH_FOR_SPECTRAL = 8;

/**
 * Largest average-linkage merge distance (1 − cos) of a one-speaker recording. With the GE2E model: one-speaker
 * and one-dominant-speaker files topped out at 0.33–0.34, two-speaker files started at 0.37.
 */
export const ONE_SPEAKER_SPREAD = 0.35;

export interface ChoiceInput {
  /** Seconds of speech analysed. */
  duration: number;
  regions: number;
  embeddings: Vector[];
  bounds: CountBounds;
  threshold?: number;
  oneSpeakerSpread?: number;
  /** The dendrogram if already computed (saves O(n²)). */
  tree?: Merge[];
}

export interface Choice {
  method: ClusterMethod;
  reason: string;
  /** Speakers the AHC threshold alone would find (the "spread" estimate). */
  estimatedCount: number;
  /** Largest average-linkage merge distance (1 − cos): how far apart the two most different groups are. */
  spread: number;
}

export function chooseMethod(input: ChoiceInput): Choice {
  const { embeddings, bounds, duration, regions } = input;
  const n = embeddings.length;
  const threshold = input.threshold ?? DEFAULT_AHC_THRESHOLD;
  const tree = input.tree ?? dendrogram(embeddings);
  const spread = tree.length ? tree[tree.length - 1].distance : 0;
  const estimatedCount = n ? n - tree.filter((m) => m.distance <= threshold).length : 0;
  const facts = `${n} windows, ${regions} speech regions, ${duration.toFixed(1)} s of speech, spread ${spread.toFixed(2)}, threshold estimate ${estimatedCount}`;
  const pick = (method: ClusterMethod, why: string): Choice => ({
    method,
    reason: `${why} (${facts})`,
    estimatedCount,
    spread,
  });
  if (n < MIN_WINDOWS_FOR_SPECTRAL || duration < MIN_SPEECH_FOR_SPECTRAL) {
    return pick('agglomerative', `too few windows/speech for spectral clustering (< ${MIN_WINDOWS_FOR_SPECTRAL} windows or < ${MIN_SPEECH_FOR_SPECTRAL} s)`);
  }
  if (bounds.exact === undefined && bounds.min <= 1 && spread <= (input.oneSpeakerSpread ?? ONE_SPEAKER_SPREAD)) {
    return pick('agglomerative', `all windows are within cosine distance ${input.oneSpeakerSpread ?? ONE_SPEAKER_SPREAD} of each other: one speaker`);
  }
  if (n > SPECTRAL_MAX_POINTS) {
    return pick('hybrid', `more than ${SPECTRAL_MAX_POINTS} windows: spectral count on pre-clustered centroids, agglomerative assignment`);
  }
  return pick('spectral', 'enough windows for a stable affinity graph; eigengap gives the count');
}
