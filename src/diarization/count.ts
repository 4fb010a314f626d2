// Speaker-count control: exact `speakers`, or bounds `minSpeakers`/`maxSpeakers`, or automatic.
import { TranscrevError } from '../errors';
import type { SpeakerCount } from './types';

/** Upper bound used when the caller gives none (meetings rarely have more distinct voices in one file). */
export const DEFAULT_MAX_SPEAKERS = 8;

export interface CountBounds {
  /** Set when the caller fixed the number. */
  exact?: number;
  min: number;
  max: number;
}

/** Validates the options and clamps them to the number of points that can be clustered. */
export function countBounds(count: SpeakerCount, points: number): CountBounds {
  const { speakers, minSpeakers, maxSpeakers } = count;
  for (const [name, v] of Object.entries({ speakers, minSpeakers, maxSpeakers })) {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) {
      throw new TranscrevError('usage', `${name} must be a whole number ≥ 1 (got ${v}).`);
    }
  }
  if (minSpeakers !== undefined && maxSpeakers !== undefined && minSpeakers > maxSpeakers) {
    throw new TranscrevError('usage', `minSpeakers (${minSpeakers}) is larger than maxSpeakers (${maxSpeakers}).`);
  }
  const cap = Math.max(1, points);
  if (speakers !== undefined) {
    const k = Math.min(speakers, cap);
    return { exact: k, min: k, max: k };
  }
  const max = Math.min(maxSpeakers ?? Math.max(DEFAULT_MAX_SPEAKERS, minSpeakers ?? 1), cap);
  const min = Math.min(minSpeakers ?? 1, max);
  return { min, max };
}

export function clampCount(k: number, b: CountBounds): number {
  return b.exact ?? Math.min(b.max, Math.max(b.min, k));
}
