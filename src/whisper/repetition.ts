// Stops a window that has fallen into a token loop, instead of spending up to 224 decoder steps
// repeating it. Only text tokens count (timestamps differ between copies of a looped phrase).

export interface RepetitionRule {
  /** Longest repeated block looked for, in tokens. */
  maxPeriod: number;
  /** A block must repeat at least this many times in a row... */
  minRepeats: number;
  /** ...and the repeated stretch must be at least this many tokens (so "no, no, no" is fine). */
  minSpan: number;
}

export const DEFAULT_REPETITION_RULE: RepetitionRule = { maxPeriod: 40, minRepeats: 3, minSpan: 16 };

/**
 * If the tail of `tokens` is a block repeated back to back (per `rule`), returns the block length and
 * the number of tokens belonging to the extra copies (to cut so that one copy remains); else null.
 */
export function findRepetitionLoop(
  tokens: ArrayLike<number>,
  rule: RepetitionRule = DEFAULT_REPETITION_RULE,
): { period: number; repeats: number; extra: number } | null {
  const n = tokens.length;
  for (let period = 1; period <= rule.maxPeriod; period++) {
    const repeats = Math.max(rule.minRepeats, Math.ceil(rule.minSpan / period));
    const span = period * repeats;
    if (span > n) continue;
    let ok = true;
    for (let k = 1; k <= span - period; k++) {
      if (tokens[n - k] !== tokens[n - k - period]) {
        ok = false;
        break;
      }
    }
    if (ok) return { period, repeats, extra: span - period };
  }
  return null;
}
