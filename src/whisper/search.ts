// Choosing the tokens of one window: greedy, beam search and best-of sampling, as openai/whisper's
// GreedyDecoder / BeamSearchDecoder and faster-whisper (beam_size 5, best_of 5 at T > 0) do.
// Pure over a `step` function that feeds one token per row and returns the next logits of every row, so it
// is tested on synthetic logits; decode.ts binds `step` to the ONNX decoder (rows share the prompt's cache).
//
// Every hypothesis is filtered the same way before a choice (suppressed tokens, timestamp rules: `filter`),
// scored with log-softmax, and stopped at eot, at the context limit or in a token loop (`loopKeep`, the
// extra copies are cut). The finished hypotheses are ranked by sum of log-probabilities / length, openai's
// MaximumLikelihoodRanker without a length penalty.
import { throwIfCancelled } from '../errors';
import { argmax, logSoftmaxInPlace, sampleToken, tokenLogprob } from './logits';

export interface SearchContext {
  eot: number;
  /** Longest hypothesis, in tokens (the rest of the decoder context). */
  maxTokens: number;
  /** Applies the suppression and timestamp rules to one row's logits, in place, given that row's tokens. */
  filter(logits: Float32Array, tokens: readonly number[]): void;
  /** When `tokens` ends in a token loop: how many tokens to keep (one copy of the repeated block); else null. */
  loopKeep(tokens: readonly number[]): number | null;
  /**
   * Feeds `next[i]` to a row that continues row `sources[i]` of the previous step (the first step's only
   * row is 0) and returns the logits of every new row, [next.length × vocab] row-major.
   */
  step(next: number[], sources: number[]): Promise<Float32Array>;
  vocab: number;
  signal?: AbortSignal;
}

export interface Hypothesis {
  /** Chosen tokens, eot excluded, loop copies cut. */
  tokens: number[];
  /** Sum of the log-probabilities of the chosen tokens, eot included when it was chosen. */
  sumLogprob: number;
  /** Each chosen token's log-probability, beside `tokens` (the words' confidence is made of them). */
  tokenLogprobs: number[];
  /** The hypothesis ended in a token loop (its extra copies were cut). */
  looped: boolean;
}

/** Length-normalised score that ranks finished hypotheses (openai: sum_logprob / length). */
export function rankScore(h: Hypothesis): number {
  return h.sumLogprob / Math.max(1, h.tokens.length);
}

function best(hypotheses: Hypothesis[]): Hypothesis {
  return hypotheses.reduce((a, b) => (rankScore(b) > rankScore(a) ? b : a));
}

/** Ends a hypothesis that looped: the extra copies are cut. */
function finishLooped(tokens: number[], tokenLogprobs: number[], sumLogprob: number, keep: number): Hypothesis {
  return { tokens: tokens.slice(0, keep), tokenLogprobs: tokenLogprobs.slice(0, keep), sumLogprob, looped: true };
}

/** T = 0, one row: the most likely token at every step. */
export async function greedySearch(ctx: SearchContext, first: Float32Array): Promise<Hypothesis> {
  const tokens: number[] = [];
  const tokenLogprobs: number[] = [];
  let sumLogprob = 0;
  let logits = first;
  for (;;) {
    throwIfCancelled(ctx.signal);
    ctx.filter(logits, tokens);
    const token = argmax(logits);
    // One token's log-probability, rounded to float32 as the in-place log-softmax stored it (same sums, no
    // pass over the vocabulary's 51 865 logits per step).
    const logprob = Math.fround(tokenLogprob(logits, token));
    sumLogprob += logprob;
    if (token === ctx.eot) return { tokens, tokenLogprobs, sumLogprob, looped: false };
    tokens.push(token);
    tokenLogprobs.push(logprob);
    const keep = ctx.loopKeep(tokens);
    if (keep !== null) return finishLooped(tokens, tokenLogprobs, sumLogprob, keep);
    if (tokens.length >= ctx.maxTokens) return { tokens, tokenLogprobs, sumLogprob, looped: false };
    logits = await ctx.step([token], [0]);
  }
}

/**
 * T > 0: `n` independent samples decoded side by side (rows), the best by rankScore. With n = 1 this is
 * openai's sampling decoder; faster-whisper samples best_of = 5.
 */
export async function sampleBestOf(ctx: SearchContext, first: Float32Array, n: number, temperature: number, random: () => number): Promise<Hypothesis> {
  const live = Array.from({ length: n }, () => ({ tokens: [] as number[], tokenLogprobs: [] as number[], sumLogprob: 0 }));
  const done: Hypothesis[] = [];
  // Every sample starts from the prompt's single row.
  let rows = live.map(() => 0);
  let block = first;
  let width = first.length;
  for (;;) {
    throwIfCancelled(ctx.signal);
    const next: number[] = [];
    const sources: number[] = [];
    const stillLive: typeof live = [];
    for (let i = 0; i < live.length; i++) {
      const h = live[i];
      const logits = block.slice(rows[i] * width, (rows[i] + 1) * width);
      ctx.filter(logits, h.tokens);
      const token = sampleToken(logits, temperature, random);
      const logprob = Math.fround(tokenLogprob(logits, token));
      h.sumLogprob += logprob;
      if (token === ctx.eot) {
        done.push({ tokens: h.tokens, tokenLogprobs: h.tokenLogprobs, sumLogprob: h.sumLogprob, looped: false });
        continue;
      }
      h.tokens.push(token);
      h.tokenLogprobs.push(logprob);
      const keep = ctx.loopKeep(h.tokens);
      if (keep !== null) {
        done.push(finishLooped(h.tokens, h.tokenLogprobs, h.sumLogprob, keep));
        continue;
      }
      if (h.tokens.length >= ctx.maxTokens) {
        done.push({ tokens: h.tokens, tokenLogprobs: h.tokenLogprobs, sumLogprob: h.sumLogprob, looped: false });
        continue;
      }
      stillLive.push(h);
      next.push(token);
      sources.push(rows[i]);
    }
    if (stillLive.length === 0) return best(done);
    block = await ctx.step(next, sources);
    width = block.length / next.length;
    live.length = 0;
    live.push(...stillLive);
    rows = stillLive.map((_, i) => i);
  }
}

interface Beam {
  tokens: number[];
  tokenLogprobs: number[];
  sumLogprob: number;
  /** Row of the current logits block holding this beam's next-token logits. */
  row: number;
}

/**
 * T = 0 beam search (openai BeamSearchDecoder): every step, each beam proposes its beamSize + 1 best tokens;
 * the candidates are ranked by total log-probability; those ending in eot are finished (until
 * round(beamSize × patience) are), the best beamSize others continue. Identical prefixes are merged.
 */
export async function beamSearch(ctx: SearchContext, first: Float32Array, beamSize: number, patience = 1): Promise<Hypothesis> {
  const maxCandidates = Math.max(1, Math.round(beamSize * patience));
  const finished: Hypothesis[] = [];
  let beams: Beam[] = [{ tokens: [], tokenLogprobs: [], sumLogprob: 0, row: 0 }];
  let block = first;
  let width = first.length;
  for (;;) {
    throwIfCancelled(ctx.signal);
    const candidates = new Map<string, { tokens: number[]; tokenLogprobs: number[]; sumLogprob: number; source: number; token: number }>();
    for (const beam of beams) {
      const logits = block.slice(beam.row * width, (beam.row + 1) * width);
      ctx.filter(logits, beam.tokens);
      const logprobs = logSoftmaxInPlace(logits);
      for (const token of topK(logprobs, beamSize + 1)) {
        const tokens = [...beam.tokens, token];
        const key = tokens.join(',');
        const sumLogprob = beam.sumLogprob + logprobs[token];
        const seen = candidates.get(key);
        if (!seen || sumLogprob > seen.sumLogprob)
          candidates.set(key, { tokens, tokenLogprobs: [...beam.tokenLogprobs, logprobs[token]], sumLogprob, source: beam.row, token });
      }
    }
    const next: Beam[] = [];
    const feedTokens: number[] = [];
    const sources: number[] = [];
    const ranked = [...candidates.values()].sort((a, b) => b.sumLogprob - a.sumLogprob);
    for (const c of ranked) {
      if (c.token === ctx.eot) {
        if (finished.length < maxCandidates)
          finished.push({ tokens: c.tokens.slice(0, -1), tokenLogprobs: c.tokenLogprobs.slice(0, -1), sumLogprob: c.sumLogprob, looped: false });
        continue;
      }
      const keep = ctx.loopKeep(c.tokens);
      if (keep !== null) {
        if (finished.length < maxCandidates) finished.push(finishLooped(c.tokens, c.tokenLogprobs, c.sumLogprob, keep));
        continue;
      }
      if (c.tokens.length >= ctx.maxTokens) {
        if (finished.length < maxCandidates) finished.push({ tokens: c.tokens, tokenLogprobs: c.tokenLogprobs, sumLogprob: c.sumLogprob, looped: false });
        continue;
      }
      next.push({ tokens: c.tokens, tokenLogprobs: c.tokenLogprobs, sumLogprob: c.sumLogprob, row: next.length });
      feedTokens.push(c.token);
      sources.push(c.source);
      if (next.length === beamSize) break;
    }
    if (finished.length >= maxCandidates || next.length === 0) {
      // Unfinished beams count only when nothing finished (openai: the live beams become the candidates).
      return best(
        finished.length > 0 ? finished : next.map((b) => ({ tokens: b.tokens, tokenLogprobs: b.tokenLogprobs, sumLogprob: b.sumLogprob, looped: false })),
      );
    }
    block = await ctx.step(feedTokens, sources);
    width = block.length / feedTokens.length;
    beams = next;
  }
}

/** Indices of the k largest finite values, largest first, ties in index order (k is small: an insertion list). */
export function topK(values: Float32Array, k: number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === -Infinity) continue;
    if (idx.length === k) {
      if (v <= values[idx[k - 1]]) continue;
      idx.pop();
    }
    let j = idx.length;
    idx.push(i);
    while (j > 0 && values[idx[j - 1]] < v) {
      idx[j] = idx[j - 1];
      j--;
    }
    idx[j] = i;
  }
  return idx;
}
