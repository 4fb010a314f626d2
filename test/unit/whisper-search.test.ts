// Greedy, beam search and best-of sampling (src/whisper/search.ts) on a toy decoder whose next-token
// distribution depends on the row's whole history, so a wrong row reordering gives wrong answers.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { seededRandom } from '../../src/random';
import { beamSearch, greedySearch, rankScore, sampleBestOf, topK, type SearchContext } from '../../src/whisper/search';

const EOT = 5;
const VOCAB = 6;
const [A, B, C, D, E] = [0, 1, 2, 3, 4];

/** Next-token probabilities after a history (the prompt's row has history []). */
type Table = (history: readonly number[]) => Record<number, number>;

// Greedy takes A (0.6) then meets a flat distribution; B (0.4) is followed by C with 0.9: B C is the better path.
const garden: Table = (h) => {
  if (h.length === 0) return { [A]: 0.6, [B]: 0.4 };
  if (h.length === 1 && h[0] === A) return { [C]: 0.34, [D]: 0.33, [E]: 0.33 };
  if (h.length === 1 && h[0] === B) return { [C]: 0.9, [D]: 0.1 };
  return { [EOT]: 1 };
};

function logits(p: Record<number, number>): Float32Array {
  const l = new Float32Array(VOCAB).fill(-Infinity);
  for (const [k, v] of Object.entries(p)) l[Number(k)] = Math.log(v);
  return l;
}

function toy(table: Table, options: Partial<SearchContext> = {}) {
  let rows: number[][] = [[]];
  const calls: { next: number[]; sources: number[] }[] = [];
  const ctx: SearchContext = {
    eot: EOT,
    vocab: VOCAB,
    maxTokens: 20,
    filter: () => undefined,
    loopKeep: () => null,
    async step(next, sources) {
      calls.push({ next: [...next], sources: [...sources] });
      rows = next.map((t, i) => [...rows[sources[i]], t]);
      const out = new Float32Array(next.length * VOCAB);
      rows.forEach((h, i) => out.set(logits(table(h)), i * VOCAB));
      return out;
    },
    ...options,
  };
  return { ctx, first: logits(table([])), calls };
}

test('greedy follows the locally best token', async () => {
  const { ctx, first } = toy(garden);
  const h = await greedySearch(ctx, first);
  assert.deepEqual(h.tokens, [A, C]);
  assert.ok(Math.abs(h.sumLogprob - (Math.log(0.6) + Math.log(0.34))) < 1e-5);
  assert.equal(h.looped, false);
});

test('beam search finds the more likely sequence greedy misses, feeding each beam its own history', async () => {
  const { ctx, first, calls } = toy(garden);
  const h = await beamSearch(ctx, first, 2);
  assert.deepEqual(h.tokens, [B, C]);
  assert.ok(Math.abs(h.sumLogprob - (Math.log(0.4) + Math.log(0.9))) < 1e-5);
  // The first step continues the prompt's single row twice.
  assert.deepEqual(calls[0].sources, [0, 0]);
  // Beam 1 (A or B) and then the best continuations: the sources index the previous rows.
  assert.ok(calls.every((c) => c.sources.every((s) => s >= 0 && s < 2)));
});

test('beam search with width 1 equals greedy', async () => {
  const a = toy(garden);
  const b = toy(garden);
  assert.deepEqual((await beamSearch(a.ctx, a.first, 1)).tokens, (await greedySearch(b.ctx, b.first)).tokens);
});

test('beam search merges identical prefixes and ranks by log-probability per token', async () => {
  // Two routes to eot: X (one token, p 0.5) or Y Z (two tokens, 0.5 × 0.95): per token, Y Z wins.
  const table: Table = (h) => (h.length === 0 ? { [A]: 0.5, [B]: 0.5 } : h[0] === B && h.length === 1 ? { [C]: 0.95, [EOT]: 0.05 } : { [EOT]: 1 });
  const { ctx, first } = toy(table);
  const h = await beamSearch(ctx, first, 3);
  assert.deepEqual(h.tokens, [B, C]);
  assert.ok(rankScore(h) > Math.log(0.5));
});

test('best-of sampling is seeded, keeps the most likely sample, and never returns eot', async () => {
  const run = async (seed: number) => {
    const { ctx, first } = toy(garden);
    return sampleBestOf(ctx, first, 5, 1.0, seededRandom(seed));
  };
  const a = await run(7);
  const b = await run(7);
  assert.deepEqual(a, b);
  assert.ok(!a.tokens.includes(EOT));
  // With five samples of this table the best (B C, or A then a 0.34 token) is found.
  assert.ok(rankScore(a) >= (Math.log(0.6) + Math.log(0.34)) / 2 - 1e-6, JSON.stringify(a));
});

test('a token loop ends the hypothesis, cut where loopKeep says', async () => {
  const always: Table = () => ({ [D]: 1 });
  const loopKeep = (t: readonly number[]) => (t.length >= 6 ? 2 : null);
  for (const search of ['greedy', 'beam', 'sample'] as const) {
    const { ctx, first } = toy(always, { loopKeep });
    const h =
      search === 'greedy'
        ? await greedySearch(ctx, first)
        : search === 'beam'
          ? await beamSearch(ctx, first, 3)
          : await sampleBestOf(ctx, first, 2, 0.01, seededRandom(1));
    assert.equal(h.looped, true, search);
    assert.deepEqual(h.tokens, [D, D], search);
  }
});

test('maxTokens bounds every hypothesis', async () => {
  const never: Table = () => ({ [A]: 0.9, [B]: 0.1 });
  const { ctx, first } = toy(never, { maxTokens: 4 });
  assert.equal((await greedySearch(ctx, first)).tokens.length, 4);
  const beam = toy(never, { maxTokens: 4 });
  assert.equal((await beamSearch(beam.ctx, beam.first, 2)).tokens.length, 4);
});

test('filter is applied to every row before the choice', async () => {
  const { ctx, first } = toy(garden, {
    filter: (l, tokens) => {
      if (tokens.length === 0) l[A] = -Infinity;
    },
  });
  assert.deepEqual((await greedySearch(ctx, first)).tokens, [B, C]);
});

test('topK: largest first, ties in index order, -Infinity skipped', () => {
  const v = Float32Array.from([1, 5, 3, 5, -Infinity, 4]);
  assert.deepEqual(topK(v, 3), [1, 3, 5]);
  assert.deepEqual(topK(v, 10), [1, 3, 5, 2, 0]);
  assert.deepEqual(topK(Float32Array.from([-Infinity]), 2), []);
});
