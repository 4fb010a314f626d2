// Pure pieces between clustering and the transcript: windows, turns, speaker assignment, energy VAD.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignSpeakers, speakerAt } from '../../src/diarization/assign';
import { windowsToTurns } from '../../src/diarization/turns';
import { planWindows } from '../../src/diarization/windows';
import { energyVad } from '../../src/diarization/energyVad';
import { renumber, summarize } from '../../src/diarization/index';
import type { Segment } from '../../src/transcript';

const SR = 16000;

test('planWindows: hop, last window aligned to the region end, short regions', () => {
  // region 0–4 s, window 1.5 s, hop 0.75 s: starts 0, 0.75, 1.5, then 2.25 + 1.5 = 3.75 < 4 → 2.25, then end-aligned 2.5
  const w = planWindows([{ start: 0, end: 4 * SR }], { length: 10 * SR, window: 1.5, hop: 0.75 });
  assert.deepEqual(
    w.map((x) => x.start / SR),
    [0, 0.75, 1.5, 2.25, 2.5],
  );
  assert.ok(w.every((x) => x.end - x.start === 1.5 * SR));
  // a 1 s region: one window of its own length; a 0.2 s region: none
  const s = planWindows(
    [
      { start: SR, end: 2 * SR },
      { start: 5 * SR, end: 5.2 * SR },
    ],
    { length: 10 * SR, window: 1.5, hop: 0.75 },
  );
  assert.deepEqual(
    s.map((x) => [x.start / SR, x.end / SR]),
    [[1, 2]],
  );
  // widened to 1.6 s when asked
  const wide = planWindows([{ start: SR, end: 2 * SR }], { length: 10 * SR, window: 1.5, hop: 0.75, minLength: 1.6 });
  assert.deepEqual(
    wide.map((x) => [x.start / SR, x.end / SR]),
    [[0.7, 2.3]],
  );
});

test('windowsToTurns: overlap resolved at the midpoint, silence kept, short flips smoothed', () => {
  // windows 0–1.5 (A), 0.75–2.25 (A), 1.5–3 (B), 2.25–3.75 (B); speech 0–3.75
  const turns = windowsToTurns(
    [
      { start: 0, end: 1.5, label: 0 },
      { start: 0.75, end: 2.25, label: 0 },
      { start: 1.5, end: 3, label: 1 },
      { start: 2.25, end: 3.75, label: 1 },
    ],
    [{ start: 0, end: 3.75 }],
  );
  // centres 0.75, 1.5, 2.25, 3.0: frames nearer 1.5 than 2.25 are A → change at 1.875
  assert.deepEqual(turns, [
    { start: 0, end: 1.88, speaker: 'SPEAKER_1' },
    { start: 1.88, end: 3.75, speaker: 'SPEAKER_2' },
  ]);
  // silence between regions is not speech
  const gap = windowsToTurns(
    [
      { start: 0, end: 1, label: 0 },
      { start: 2, end: 3, label: 0 },
    ],
    [
      { start: 0, end: 1 },
      { start: 2, end: 3 },
    ],
  );
  assert.equal(gap.length, 2);
  // a 0.3 s flip inside A's speech is absorbed
  const flip = windowsToTurns(
    [
      { start: 0, end: 2, label: 0 },
      { start: 1.85, end: 2.15, label: 1 },
      { start: 2, end: 4, label: 0 },
    ],
    [{ start: 0, end: 4 }],
  );
  assert.deepEqual(
    flip.map((t) => t.speaker),
    ['SPEAKER_1'],
  );
  // speech no window covers takes the nearest label
  const tail = windowsToTurns(
    [{ start: 0, end: 1, label: 1 }],
    [
      { start: 0, end: 1 },
      { start: 1.2, end: 1.4 },
    ],
  );
  assert.ok(tail.every((t) => t.speaker === 'SPEAKER_2'));
});

test('renumber and summarize', () => {
  const turns = renumber([
    { start: 0, end: 2, speaker: 'SPEAKER_3' },
    { start: 2, end: 3, speaker: 'SPEAKER_1' },
    { start: 3, end: 4, speaker: 'SPEAKER_3' },
  ]);
  assert.deepEqual(
    turns.map((t) => t.speaker),
    ['SPEAKER_1', 'SPEAKER_2', 'SPEAKER_1'],
  );
  assert.deepEqual(summarize(turns), [
    { id: 'SPEAKER_1', name: 'Speaker 1', speakingTime: 3 },
    { id: 'SPEAKER_2', name: 'Speaker 2', speakingTime: 1 },
  ]);
});

const TURNS = [
  { start: 0, end: 5, speaker: 'SPEAKER_1' },
  { start: 5, end: 10, speaker: 'SPEAKER_2' },
];

test('assign: largest overlap, nearest turn when none', () => {
  assert.equal(speakerAt(4, 7, TURNS), 'SPEAKER_2');
  assert.equal(speakerAt(11, 12, TURNS), 'SPEAKER_2'); // 1 s after the last turn
  assert.equal(speakerAt(20, 21, TURNS), undefined); // too far from any turn
  const out = assignSpeakers([{ start: 0.5, end: 4.5, text: 'hello there' }], TURNS);
  assert.deepEqual(out, [{ start: 0.5, end: 4.5, text: 'hello there', speaker: 'SPEAKER_1' }]);
});

test('assign: segment spanning a change is split, text proportional by words', () => {
  // 3–9 s, change at 5 s: piece 1 = 3–5 (2 s of 6), piece 2 = 5–9. 6 words → round(6·2/6) = 2 words first.
  const seg: Segment = { start: 3, end: 9, text: 'one two three four five six', avgLogprob: -0.2 };
  const out = assignSpeakers([seg], TURNS);
  assert.deepEqual(out, [
    { start: 3, end: 5, text: 'one two', avgLogprob: -0.2, speaker: 'SPEAKER_1' },
    { start: 5, end: 9, text: 'three four five six', avgLogprob: -0.2, speaker: 'SPEAKER_2' },
  ]);
  // a change with < 1 s on one side does not split
  assert.equal(assignSpeakers([{ start: 4.5, end: 9, text: 'a b c' }], TURNS).length, 1);
  assert.equal(assignSpeakers([{ start: 4.5, end: 9, text: 'a b c' }], TURNS)[0].speaker, 'SPEAKER_2');
});

test('assign: word timings decide speakers and split points', () => {
  const seg: Segment = {
    start: 3,
    end: 8,
    text: ' Yes. No way.',
    words: [
      { start: 3, end: 4.5, text: ' Yes.' },
      { start: 5.2, end: 6, text: ' No' },
      { start: 6, end: 8, text: ' way.' },
    ],
  };
  const out = assignSpeakers([seg], TURNS);
  assert.equal(out.length, 2);
  assert.deepEqual(
    out.map((s) => [s.start, s.end, s.text, s.speaker]),
    [
      [3, 4.5, 'Yes.', 'SPEAKER_1'],
      [5.2, 8, 'No way.', 'SPEAKER_2'],
    ],
  );
  assert.deepEqual(
    out[1].words!.map((w) => w.speaker),
    ['SPEAKER_2', 'SPEAKER_2'],
  );
  assert.equal(seg.words![0].speaker, undefined, 'input not modified');
});

test('energy VAD finds a tone burst in silence', () => {
  const x = new Float32Array(5 * SR);
  let seed = 1;
  for (let i = 0; i < x.length; i++) {
    seed = (seed * 16807) % 2147483647;
    x[i] = 1e-4 * (seed / 2147483647 - 0.5);
  }
  for (let i = 2 * SR; i < 3 * SR; i++) x[i] += 0.3 * Math.sin((2 * Math.PI * 220 * i) / SR);
  const r = energyVad(x);
  assert.equal(r.length, 1);
  assert.ok(Math.abs(r[0].start / SR - 2) < 0.1 && Math.abs(r[0].end / SR - 3) < 0.1, JSON.stringify(r));
  assert.deepEqual(energyVad(new Float32Array(10)), []);
});
