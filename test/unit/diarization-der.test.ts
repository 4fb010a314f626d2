// DER scorer against hand-computed cases. Collar is 0 unless the case is about the collar.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diarizationErrorRate, aggregateDer } from '../../src/diarization/der';
import { maximizeAssignment } from '../../src/diarization/hungarian';
import { parseRttm, writeRttm, parseUem, groupByFile } from '../../src/diarization/rttm';
import { renderRttm } from '../../src/output/rttm';
import type { Turn } from '../../src/diarization/types';
import type { Transcript } from '../../src/transcript';

const t = (start: number, end: number, speaker: string): Turn => ({ start, end, speaker });
const close = (a: number, b: number, msg?: string) => assert.ok(Math.abs(a - b) < 1e-9, `${msg ?? ''} ${a} != ${b}`);
const NO_COLLAR = { collar: 0 };

// Reference used by most cases: A speaks 0–10, B speaks 10–20. Total reference speech = 20 s.
const REF = [t(0, 10, 'A'), t(10, 20, 'B')];

test('perfect hypothesis: DER 0', () => {
  const r = diarizationErrorRate(REF, [t(0, 10, 'x'), t(10, 20, 'y')], NO_COLLAR);
  close(r.der, 0);
  close(r.total, 20);
});

test('empty hypothesis: everything missed, DER 1', () => {
  // missed = 20, total = 20 → 1.0
  const r = diarizationErrorRate(REF, [], NO_COLLAR);
  close(r.missed, 20);
  close(r.der, 1);
});

test('hypothesis where the reference is silent: all false alarm', () => {
  // ref: A 0–10 (total 10); hyp: x 10–25 → FA 15, missed 10 → DER (10 + 15) / 10 = 2.5
  const r = diarizationErrorRate([t(0, 10, 'A')], [t(10, 25, 'x')], NO_COLLAR);
  close(r.falseAlarm, 15);
  close(r.missed, 10);
  close(r.der, 2.5);
  // no reference speech at all: DER is undefined (Infinity) when there are errors
  assert.equal(diarizationErrorRate([], [t(0, 1, 'x')], NO_COLLAR).der, Infinity);
});

test('swapped labels cost nothing (optimal mapping)', () => {
  const r = diarizationErrorRate(REF, [t(0, 10, 'B'), t(10, 20, 'A')], NO_COLLAR);
  close(r.der, 0);
  assert.equal(r.mapping.get('B'), 'A');
  assert.equal(r.mapping.get('A'), 'B');
});

test('partial confusion', () => {
  // hyp: x 0–12, y 12–20. Co-occurrence x·A = 10, x·B = 2, y·B = 8 → map x→A, y→B.
  // 10–12 is B speaking but labelled x(→A): confusion 2. DER = 2 / 20 = 0.1
  const r = diarizationErrorRate(REF, [t(0, 12, 'x'), t(12, 20, 'y')], NO_COLLAR);
  close(r.confusion, 2);
  close(r.missed, 0);
  close(r.falseAlarm, 0);
  close(r.der, 0.1);
});

test('one label for everyone: confusion is the smaller speaker', () => {
  // hyp: x 0–20 → x→A; B's 10 s are confusion. DER = 10 / 20 = 0.5
  const r = diarizationErrorRate(REF, [t(0, 20, 'x')], NO_COLLAR);
  close(r.confusion, 10);
  close(r.der, 0.5);
});

test('overlap: each reference speaker counts', () => {
  // ref: A 0–10, B 5–15 (overlap 5–10). total = 10 + 10 = 20.
  // hyp: x 0–10, y 10–15 → x→A (10), y→B (5).
  //   0–5  : ref {A} hyp {x}: correct
  //   5–10 : ref {A,B} hyp {x}: missed 1·5 = 5, confusion (1 − 1) = 0
  //   10–15: ref {B} hyp {y}: correct
  // DER = 5 / 20 = 0.25
  const r = diarizationErrorRate([t(0, 10, 'A'), t(5, 15, 'B')], [t(0, 10, 'x'), t(10, 15, 'y')], NO_COLLAR);
  close(r.total, 20);
  close(r.missed, 5);
  close(r.confusion, 0);
  close(r.der, 0.25);
  // hypothesis with both speakers in the overlap but only one of them right:
  // hyp: x 0–10, z 5–10 (z unmapped: y absent) … z co-occurs with B 5 s, x with A 10 s, x with B 5 s.
  // mapping x→A, z→B: perfect in 0–10; 10–15 B missed 5 → DER 5/20
  const r2 = diarizationErrorRate([t(0, 10, 'A'), t(5, 15, 'B')], [t(0, 10, 'x'), t(5, 10, 'z')], NO_COLLAR);
  close(r2.missed, 5);
  close(r2.der, 0.25);
});

test('collar removes time around reference boundaries', () => {
  // ref A 0–10, B 10–20; hyp x 0–10.4, y 10.4–20 → without collar confusion 0.4 → DER 0.02.
  const hyp = [t(0, 10.4, 'x'), t(10.4, 20, 'y')];
  close(diarizationErrorRate(REF, hyp, NO_COLLAR).der, 0.4 / 20);
  // With collar 0.25 the unscored zones are [−0.25,0.25], [9.75,10.25], [19.75,20.25].
  // Scored reference: A 0.25–9.75 (9.5) + B 10.25–19.75 (9.5) = 19. Confusion 10.25–10.4 = 0.15.
  // DER = 0.15 / 19
  const r = diarizationErrorRate(REF, hyp, { collar: 0.25 });
  close(r.total, 19);
  close(r.confusion, 0.15);
  close(r.der, 0.15 / 19);
  // a 0.2 s shift is fully forgiven
  close(diarizationErrorRate(REF, [t(0, 10.2, 'x'), t(10.2, 20, 'y')], { collar: 0.25 }).der, 0);
});

test('UEM crops the scored time', () => {
  // UEM 5–15: ref A 5–10, B 10–15 → total 10. hyp x 0–20 → confusion 5 (B). False alarm outside UEM ignored.
  const r = diarizationErrorRate(REF, [t(0, 20, 'x')], { collar: 0, uem: [{ start: 5, end: 15 }] });
  close(r.total, 10);
  close(r.confusion, 5);
  close(r.der, 0.5);
  // Two UEM pieces 0–2 and 18–25: ref A 2 s + B 2 s = 4; hyp y 18–25 → FA 20–25 = 5, A missed 2.
  // y maps to B. DER = (2 + 5) / 4 = 1.75
  const r2 = diarizationErrorRate(REF, [t(18, 25, 'y')], {
    collar: 0,
    uem: [
      { start: 0, end: 2 },
      { start: 18, end: 25 },
    ],
  });
  close(r2.total, 4);
  close(r2.missed, 2);
  close(r2.falseAlarm, 5);
  close(r2.der, 1.75);
});

test('more hypothesis speakers than reference: extra ones are confusion', () => {
  // hyp x 0–10, y 10–15, z 15–20 → x→A, y→B (5) , z unmapped: 15–20 confusion 5 → DER 0.25
  const r = diarizationErrorRate(REF, [t(0, 10, 'x'), t(10, 15, 'y'), t(15, 20, 'z')], NO_COLLAR);
  close(r.confusion, 5);
  close(r.der, 0.25);
});

test('corpus DER is the ratio of sums', () => {
  const a = diarizationErrorRate(REF, [t(0, 20, 'x')], NO_COLLAR); // 10 / 20
  const b = diarizationErrorRate([t(0, 5, 'A')], [], NO_COLLAR); // 5 / 5
  close(aggregateDer([a, b]).der, 15 / 25);
});

test('hungarian: rectangular maximum assignment', () => {
  assert.deepEqual(
    maximizeAssignment([
      [1, 5],
      [4, 2],
    ]),
    [1, 0],
  );
  assert.deepEqual(
    maximizeAssignment([
      [1, 5, 0],
      [4, 6, 0],
    ]),
    [1, 0],
  );
  const three = maximizeAssignment([
    [0, 0],
    [9, 1],
    [1, 9],
  ]);
  assert.deepEqual(three, [-1, 0, 1]);
});

test('rttm/uem round trip', () => {
  const text = writeRttm('meet one', [t(1.5, 2.25, 'SPEAKER_1'), t(0, 1, 'SPEAKER_2')]);
  assert.equal(text, 'SPEAKER meet_one 1 0.000 1.000 <NA> <NA> SPEAKER_2 <NA> <NA>\nSPEAKER meet_one 1 1.500 0.750 <NA> <NA> SPEAKER_1 <NA> <NA>\n');
  const back = parseRttm(';; comment\n' + text);
  assert.equal(back.length, 2);
  close(back[1].end, 2.25);
  assert.deepEqual([...groupByFile(back).keys()], ['meet_one']);
  const uem = parseUem('a NA 0.000 30.000\nb NA 1 2\n');
  assert.deepEqual(uem.get('b'), [{ start: 1, end: 2 }]);
});

test('output/rttm renders segment and word speakers', () => {
  const tr: Transcript = {
    input: '/x/My Meeting.mp3',
    model: 'base',
    precision: 'int8',
    language: 'en',
    duration: 10,
    segments: [
      { start: 0, end: 2, text: 'a', speaker: 'SPEAKER_1' },
      { start: 2, end: 4, text: 'b', speaker: 'SPEAKER_1' },
      {
        start: 4,
        end: 6,
        text: 'c d',
        words: [
          { start: 4, end: 5, text: 'c', speaker: 'SPEAKER_1' },
          { start: 5, end: 6, text: 'd', speaker: 'SPEAKER_2' },
        ],
      },
      { start: 6, end: 7, text: 'no speaker' },
    ],
    timing: { load: 0, decode: 0, transcribe: 0, total: 0 },
    rtf: 0,
  };
  assert.equal(
    renderRttm(tr),
    'SPEAKER My_Meeting 1 0.000 5.000 <NA> <NA> SPEAKER_1 <NA> <NA>\nSPEAKER My_Meeting 1 5.000 1.000 <NA> <NA> SPEAKER_2 <NA> <NA>\n',
  );
});
