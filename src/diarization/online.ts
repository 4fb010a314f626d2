// Provisional speaker labels while a meeting is recorded: each phrase's embedding joins the most similar
// speaker seen so far, or starts a new one when none is similar enough. Good enough to show "who is talking"
// live; the final transcript re-diarizes the whole recording, which sees every phrase at once.
import type { SpeakerEmbedderKind } from '../vocabulary';
import { cosineSimilarity, type Vector } from './vectors';

/**
 * Cosine similarity at which a phrase counts as a known speaker, per embedder. GE2E: on the shared speaker clips
 * 0.83 on average for the same speaker and 0.50 for different speakers (tools/models speaker evaluation). CAM++:
 * see ONLINE_SAME_SPEAKER_CAMPPLUS.
 */
export const ONLINE_SAME_SPEAKER = 0.7;
/**
 * CAM++'s, from the shared speakers/ clips (bench/voices.ts, docs/voices.md): each of the 20 clips (2 to 8 s) as a
 * phrase, as it is and 10 ms later, against a speaker's running mean (any set of that speaker's other clips). Same
 * speaker in the same language: 0.684 to 0.913 (single phrases: median 0.806); different speakers: 0.238 to 0.668
 * (single phrases 0.626 at most). 0.675 sits between: no phrase joins someone else and none of the same language is
 * split off; a person heard before only in another language is (0.26 to 0.37). 0.5 joined 16 % of different speakers.
 */
export const ONLINE_SAME_SPEAKER_CAMPPLUS = 0.675;
export const onlineThreshold = (kind: SpeakerEmbedderKind): number => (kind === 'campplus' ? ONLINE_SAME_SPEAKER_CAMPPLUS : ONLINE_SAME_SPEAKER);

export class OnlineSpeakers {
  private readonly centroids: { sum: Float32Array; count: number }[] = [];

  constructor(
    private readonly threshold = ONLINE_SAME_SPEAKER,
    /** Which embedder's vectors these are (vectors of two embedders are never compared). */
    readonly kind: SpeakerEmbedderKind = 'ge2e',
  ) {}

  /** Live labels for `kind`'s vectors, at its threshold. */
  static for(kind: SpeakerEmbedderKind): OnlineSpeakers {
    return new OnlineSpeakers(onlineThreshold(kind), kind);
  }

  get count(): number {
    return this.centroids.length;
  }

  /**
   * The speaker index (0, 1, ...) for this embedding; the matched speaker's centroid absorbs it. `mayCreate`
   * false (a phrase too short to trust) gives the nearest known speaker instead of starting a new one.
   */
  assign(vector: Vector, mayCreate = true): number {
    let best = -1;
    let bestSim = -Infinity;
    this.centroids.forEach((c, i) => {
      const sim = cosineSimilarity(c.sum, vector);
      if (sim > bestSim) {
        bestSim = sim;
        best = i;
      }
    });
    if (best >= 0 && (bestSim >= this.threshold || !mayCreate)) {
      const c = this.centroids[best];
      for (let i = 0; i < vector.length; i++) c.sum[i] += vector[i];
      c.count++;
      return best;
    }
    this.centroids.push({ sum: Float32Array.from(vector), count: 1 });
    return this.centroids.length - 1;
  }
}
