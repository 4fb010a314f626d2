// Logit filters and token choice for one decoder step, after openai/whisper decoding.py:
// SuppressBlank, SuppressTokens, ApplyTimestampRules, then greedy (T = 0) or sampling (T > 0).
// Pure functions over a Float32Array of vocabulary logits, so they are tested on synthetic logits.

export interface SpecialTokens {
  eot: number;
  sot: number;
  sotPrev: number;
  noSpeech: number;
  noTimestamps: number;
  /** <|0.00|>; every id ≥ this is a timestamp, 0.02 s apart. */
  timestampBegin: number;
  transcribe: number;
  translate: number;
}

/** Seconds per timestamp token. */
export const TIME_PRECISION = 0.02;

export function suppress(logits: Float32Array, ids: Iterable<number>): void {
  for (const id of ids) if (id >= 0 && id < logits.length) logits[id] = -Infinity;
}

function suppressRange(logits: Float32Array, from: number, to: number): void {
  logits.fill(-Infinity, Math.max(0, from), Math.min(logits.length, to));
}

function logSumExp(logits: Float32Array, from: number, to: number): number {
  let max = -Infinity;
  for (let i = from; i < to; i++) if (logits[i] > max) max = logits[i];
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = from; i < to; i++) sum += Math.exp(logits[i] - max);
  return max + Math.log(sum);
}

function maxOf(logits: Float32Array, from: number, to: number): number {
  let max = -Infinity;
  for (let i = from; i < to; i++) if (logits[i] > max) max = logits[i];
  return max;
}

/**
 * ApplyTimestampRules on the logits of the next token, given the tokens sampled so far in this window
 * (after the sot sequence). In place.
 *  - <|notimestamps|> is never sampled;
 *  - timestamps come in pairs: after a lone timestamp only text or another timestamp may follow,
 *    after a pair only text (or eot);
 *  - timestamps never decrease, and a closed segment has non-zero length;
 *  - the first token is a timestamp no later than maxInitialTimestampIndex (1.0 s → 50);
 *  - if the timestamps together are more probable than the best text token, a timestamp is forced.
 */
export function applyTimestampRules(
  logits: Float32Array,
  sampled: readonly number[],
  special: Pick<SpecialTokens, 'eot' | 'noTimestamps' | 'timestampBegin'>,
  maxInitialTimestampIndex: number | null,
): void {
  const { eot, noTimestamps, timestampBegin } = special;
  const vocab = logits.length;
  logits[noTimestamps] = -Infinity;

  const n = sampled.length;
  const lastWasTimestamp = n >= 1 && sampled[n - 1] >= timestampBegin;
  const penultimateWasTimestamp = n < 2 || sampled[n - 2] >= timestampBegin;
  if (lastWasTimestamp) {
    if (penultimateWasTimestamp)
      suppressRange(logits, timestampBegin, vocab); // must be text
    else suppressRange(logits, 0, eot); // must be a timestamp or eot
  }

  let lastTimestamp = -1;
  for (let i = n - 1; i >= 0; i--) {
    if (sampled[i] >= timestampBegin) {
      lastTimestamp = sampled[i];
      break;
    }
  }
  if (lastTimestamp >= 0) {
    // Monotonic; and after a closed pair the next segment must start strictly later (no zero-length loops).
    const firstAllowed = lastWasTimestamp && !penultimateWasTimestamp ? lastTimestamp : lastTimestamp + 1;
    suppressRange(logits, timestampBegin, firstAllowed);
  }

  if (n === 0) {
    suppressRange(logits, 0, timestampBegin);
    if (maxInitialTimestampIndex !== null) suppressRange(logits, timestampBegin + maxInitialTimestampIndex + 1, vocab);
  }

  // Compare in log space: logsumexp(timestamps) vs max(text); the shared normaliser cancels.
  const timestampMass = logSumExp(logits, timestampBegin, vocab);
  const bestText = maxOf(logits, 0, timestampBegin);
  if (timestampMass > bestText) suppressRange(logits, 0, timestampBegin);
}

/** log_softmax(logits)[token]. */
export function tokenLogprob(logits: Float32Array, token: number): number {
  return logits[token] - logSumExp(logits, 0, logits.length);
}

/** Replaces logits by log_softmax(logits), in place; returns the same array. */
export function logSoftmaxInPlace(logits: Float32Array): Float32Array {
  const norm = logSumExp(logits, 0, logits.length);
  for (let i = 0; i < logits.length; i++) logits[i] -= norm;
  return logits;
}

/** softmax(logits)[token]. */
export function tokenProbability(logits: Float32Array, token: number): number {
  return Math.exp(tokenLogprob(logits, token));
}

export function argmax(logits: Float32Array): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}

let sampleWeights = new Float64Array(0);

/** Draws from softmax(logits / temperature) using `random` in [0, 1). */
export function sampleToken(logits: Float32Array, temperature: number, random: () => number): number {
  const max = maxOf(logits, 0, logits.length);
  let total = 0;
  if (sampleWeights.length < logits.length) sampleWeights = new Float64Array(logits.length);
  const weights = sampleWeights;
  for (let i = 0; i < logits.length; i++) {
    const w = logits[i] === -Infinity ? 0 : Math.exp((logits[i] - max) / temperature);
    weights[i] = w;
    total += w;
  }
  let r = random() * total;
  for (let i = 0; i < logits.length; i++) {
    r -= weights[i];
    if (r < 0 && weights[i] > 0) return i;
  }
  return argmax(logits);
}
