// The pure parts of the decoding loop, on synthetic logits and token sequences:
// timestamp rules, suppression, compression ratio (vs Python zlib), loop guard, segment splitting,
// and the VAD time mapping.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { applyTimestampRules, argmax, sampleToken, tokenLogprob } from '../../src/whisper/logits';
import { seededRandom } from '../../src/random';
import { compressionRatio } from '../../src/whisper/compression';
import { findRepetitionLoop } from '../../src/whisper/repetition';
import { splitWindow } from '../../src/whisper/segments';
import { joinSpeech, speechChunks } from '../../src/whisper/speechMap';

// A toy vocabulary with Whisper's layout: text 0..9, eot 10, notimestamps 11, timestamps 12..(12+60).
const EOT = 10;
const NO_TS = 11;
const TS = 12;
const VOCAB = TS + 61;
const special = { eot: EOT, noTimestamps: NO_TS, timestampBegin: TS };
const ts = (i: number) => TS + i;

function logitsWith(values: Record<number, number>, base = -5): Float32Array {
  const l = new Float32Array(VOCAB).fill(base);
  for (const [k, v] of Object.entries(values)) l[Number(k)] = v;
  return l;
}
const allowed = (l: Float32Array) => [...l.keys()].filter((i) => l[i] !== -Infinity);

test('first token must be a timestamp no later than max_initial_timestamp', () => {
  const l = logitsWith({ 3: 10, [ts(55)]: 9, [ts(2)]: 1 });
  applyTimestampRules(l, [], special, 50);
  assert.deepEqual(
    allowed(l),
    Array.from({ length: 51 }, (_, i) => ts(i)),
  );
  assert.equal(argmax(l), ts(2));
});

test('<|notimestamps|> is never allowed', () => {
  const l = logitsWith({ [NO_TS]: 100 });
  applyTimestampRules(l, [ts(0), 4], special, 50);
  assert.equal(l[NO_TS], -Infinity);
});

test('after a timestamp pair the next token is text (or eot), not a timestamp', () => {
  const l = logitsWith({ [ts(30)]: 50 });
  applyTimestampRules(l, [ts(0), 4, 5, ts(20), ts(20)], special, 50);
  assert.ok(allowed(l).every((i) => i < TS));
});

test('after a lone timestamp that closes text, only a timestamp or eot may follow', () => {
  const l = logitsWith({ 3: 50 });
  applyTimestampRules(l, [ts(0), 4, 5, ts(20)], special, 50);
  assert.ok(allowed(l).every((i) => i >= EOT));
  // monotonic: a closing-pair partner may repeat the last timestamp, never go below it
  assert.ok(
    allowed(l)
      .filter((i) => i >= TS)
      .every((i) => i >= ts(20)),
  );
  assert.ok(allowed(l).includes(ts(20)));
});

test('timestamps never decrease, and a new segment starts strictly after the last one', () => {
  const l = logitsWith({});
  applyTimestampRules(l, [ts(0), 4, ts(10), ts(10), 6], special, 50);
  const tsAllowed = allowed(l).filter((i) => i >= TS);
  assert.equal(Math.min(...tsAllowed), ts(11));
});

test('when timestamps together outweigh the best text token, a timestamp is forced', () => {
  // 40 timestamps at logit 0 → logsumexp ≈ 3.69 > best text logit 3
  const values: Record<number, number> = { 3: 3 };
  for (let i = 10; i < 50; i++) values[ts(i)] = 0;
  const l = logitsWith(values, -20);
  applyTimestampRules(l, [ts(0), 4], special, 50);
  assert.ok(argmax(l) >= TS);
  // and not when the text token is clearly better
  const l2 = logitsWith({ ...values, 3: 6 }, -20);
  applyTimestampRules(l2, [ts(0), 4], special, 50);
  assert.equal(argmax(l2), 3);
});

test('token log-probability and seeded sampling', () => {
  const l = new Float32Array([Math.log(0.5), Math.log(0.25), Math.log(0.25), -Infinity]);
  assert.ok(Math.abs(tokenLogprob(l, 0) - Math.log(0.5)) < 1e-6);
  const draw = (seed: number) => {
    const r = seededRandom(seed);
    return Array.from({ length: 2000 }, () => sampleToken(l, 1, r));
  };
  const a = draw(5);
  assert.deepEqual(a, draw(5), 'same seed, same draws');
  assert.ok(!a.includes(3), 'suppressed token never drawn');
  const share0 = a.filter((t) => t === 0).length / a.length;
  assert.ok(Math.abs(share0 - 0.5) < 0.05, `P(0) ≈ 0.5, got ${share0}`);
});

test('compression ratio equals Python zlib (len(bytes) / len(zlib.compress(bytes)))', () => {
  // Values from python3: len(t.encode()) / len(zlib.compress(t.encode()))
  const reference: [string, number][] = [
    ['And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.', 1.3544303797468353],
    [' Obrigado. Obrigado. Obrigado. Obrigado. Obrigado. Obrigado. Obrigado. Obrigado.', 3.8095238095238093],
    ['a duração é de cinquenta minutos a sete reais cada ingresso', 0.96875],
    ['x', 0.1111111111111111],
    ['ção'.repeat(50), 14.705882352941176],
  ];
  for (const [text, ratio] of reference) assert.ok(Math.abs(compressionRatio(text) - ratio) < 1e-9, text.slice(0, 20));
  assert.equal(compressionRatio(''), 0);
});

test('loop guard: long repeated blocks are found, short natural repeats are not', () => {
  assert.equal(findRepetitionLoop([1, 2, 3, 4, 5, 6, 7, 8]), null);
  assert.equal(findRepetitionLoop([9, 5, 5, 5, 5]), null, '"no, no, no, no" is speech');
  const block = [101, 102, 103, 104, 105, 106];
  const looped = [1, 2, ...block, ...block, ...block];
  assert.deepEqual(findRepetitionLoop(looped), { period: 6, repeats: 3, extra: 12 });
  assert.deepEqual(findRepetitionLoop([...Array(16).fill(7)])?.period, 1);
  assert.equal(findRepetitionLoop([...Array(15).fill(7)]), null);
});

test('segments: timestamp pairs split a window; seek goes to the last closed timestamp', () => {
  // <0.00> a b <1.00><1.00> c <2.00><2.00> d   (unfinished last segment)
  const tokens = [ts(0), 1, 2, ts(50), ts(50), 3, ts(100), ts(100), 4];
  const r = splitWindow(tokens, TS, 3000);
  assert.deepEqual(
    r.segments.map((s) => [s.start, s.end]),
    [
      [0, 1],
      [1, 2],
    ],
  );
  assert.equal(r.seekFrames, 200, '2.00 s = 200 frames');
});

test('segments: a window ending on a single timestamp is complete → whole window advance', () => {
  const tokens = [ts(0), 1, 2, ts(50), ts(50), 3, ts(120)];
  const r = splitWindow(tokens, TS, 3000);
  assert.deepEqual(
    r.segments.map((s) => [s.start, s.end]),
    [
      [0, 1],
      [1, 2.4],
    ],
  );
  assert.equal(r.seekFrames, 3000);
});

test('segments: no pair → one segment up to the last timestamp, whole window advance', () => {
  const r = splitWindow([ts(0), 1, 2, ts(40)], TS, 1100);
  assert.equal(r.segments.length, 1);
  assert.ok(Math.abs(r.segments[0].end - 0.8) < 1e-9);
  assert.equal(r.seekFrames, 1100);
  const bare = splitWindow([1, 2], TS, 1100);
  assert.ok(Math.abs(bare.segments[0].end - 11) < 1e-9, 'no timestamp → the window length');
});

test('VAD join: only the regions are kept and times map back to the original timeline', () => {
  const sr = 16000;
  const samples = new Float32Array(10 * sr).map((_, i) => i);
  const map = joinSpeech(samples, [
    { start: 1 * sr, end: 2 * sr },
    { start: 5 * sr, end: 7 * sr },
  ]);
  assert.equal(map.source.length, 3 * sr);
  const joined = map.source.read(0, 3 * sr);
  assert.equal(joined[0], sr);
  assert.equal(joined[sr], 5 * sr);
  // Reads that cross a chunk boundary gather both sides.
  assert.deepEqual(Array.from(map.source.read(sr - 2, sr + 2)), [2 * sr - 2, 2 * sr - 1, 5 * sr, 5 * sr + 1]);
  assert.equal(map.toOriginal(0.5), 1.5);
  assert.equal(map.toOriginal(1.0), 5.0, 'a start at the boundary belongs to the next chunk');
  assert.equal(map.toOriginal(1.0, true), 2.0, 'an end at the boundary belongs to the previous chunk');
  assert.equal(map.toOriginal(2.5, true), 6.5);
});

test('VAD chunks: regions closer than 2 s merge (pause kept), each chunk padded 0.4 s', () => {
  const sr = 16000;
  const chunks = speechChunks(
    [
      { start: 1 * sr, end: 2 * sr },
      { start: 3 * sr, end: 4 * sr }, // 1 s gap → merged
      { start: 10 * sr, end: 11 * sr }, // 6 s gap → separate
    ],
    12 * sr,
  );
  assert.deepEqual(chunks, [
    { start: 0.6 * sr, end: 4.4 * sr },
    { start: 9.6 * sr, end: 11.4 * sr },
  ]);
});

test('VAD join: a segment straddling removed silence stays on the side holding most of it', () => {
  const sr = 16000;
  const map = joinSpeech(new Float32Array(100 * sr), [
    { start: 10 * sr, end: 20 * sr },
    { start: 80 * sr, end: 90 * sr },
  ]);
  // joined: [0,10) ← 10..20, [10,20) ← 80..90
  assert.deepEqual(map.segmentToOriginal(2, 8), { start: 12, end: 18 });
  assert.deepEqual(map.segmentToOriginal(7, 11), { start: 17, end: 20 }, 'mostly in the first chunk');
  assert.deepEqual(map.segmentToOriginal(9, 15), { start: 80, end: 85 }, 'mostly in the second chunk');
});
