// What deserves a second listen: unsure words (below UNSURE_PROBABILITY), phrases that look invented (loops,
// repeats, repetitive text, text over judged silence), and where they are in a Markdown transcript the person
// may have edited.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { render } from '../../src/output';
import { isUnsure, repeatedPhrase, suspectSegments, UNSURE_PROBABILITY } from '../../src/output/confidence';
import { confidenceMarks } from '../../src/output/confidenceMarks';
import type { Segment, Transcript } from '../../src/transcript';

const seg = (start: number, text: string, extra: Partial<Segment> = {}): Segment => ({ start, end: start + 2, text, ...extra });

test('isUnsure: the words below the threshold; words without a probability are not judged', () => {
  const segments = [
    seg(0, 'a b', {
      words: [
        { start: 0, end: 1, text: ' a', probability: UNSURE_PROBABILITY - 0.01 },
        { start: 1, end: 2, text: ' b', probability: UNSURE_PROBABILITY },
      ],
    }),
    seg(2, 'c', { words: [{ start: 2, end: 3, text: ' c' }] }),
  ];
  assert.deepEqual(
    segments.flatMap((s, segment) => (s.words ?? []).filter((w) => isUnsure(w)).map((w) => [segment, w.text])),
    [[0, ' a']],
  );
});

test('repeatedPhrase: a phrase of 2+ words said 3+ times back to back; fewer repeats or single words are not loops', () => {
  assert.deepEqual(repeatedPhrase('eu acho que sim sim sim e muito obrigado muito obrigado muito obrigado muito obrigado'.split(' ')), {
    phrase: ['muito', 'obrigado'],
    times: 4,
  });
  assert.equal(repeatedPhrase('muito obrigado muito obrigado e tchau'.split(' ')), null);
  assert.equal(repeatedPhrase('sim sim sim sim'.split(' ')), null);
});

test('suspectSegments: a loop, the same text as before, repetitive text, text over judged silence; plain speech is not suspect', () => {
  const segments = [
    seg(0, 'Bom dia a todos.'),
    seg(2, 'Muito obrigado. Muito obrigado. Muito obrigado. Obrigado pela atenção.'),
    seg(4, 'E agora?'),
    seg(6, 'E agora?'),
    seg(8, 'Texto qualquer', { compressionRatio: 2.7 }),
    seg(10, 'Legendas pela comunidade', { noSpeechProb: 0.8, avgLogprob: -1.3 }),
    seg(12, 'Fim da reunião.', { noSpeechProb: 0.8, avgLogprob: -0.2 }),
  ];
  assert.deepEqual(
    suspectSegments(segments).map((s) => [s.segment, s.reason.split(':')[0]]),
    [
      [1, '“muito obrigado” 3 times in a row'],
      [3, 'The same text as the segment before'],
      [4, 'Repetitive text (compression ratio 2.7)'],
      [5, 'Whisper judged this span likely silence and was unsure of the text'],
    ],
  );
});

function transcript(segments: Segment[]): Transcript {
  return {
    input: '/m/talk.wav',
    model: 'base',
    precision: 'int8',
    language: 'pt',
    duration: 20,
    segments,
    timing: { load: 0, decode: 0, transcribe: 0, total: 0 },
    rtf: 0,
  };
}

test('confidenceMarks: each unsure word at its place in the rendered Markdown, a loop on its line; edits move or drop only what they touch', () => {
  const segments = [
    seg(0, 'A casa é azul.', {
      words: [
        { start: 0, end: 0.2, text: ' A', probability: 0.9 },
        { start: 0.2, end: 0.6, text: ' casa', probability: 0.95 },
        { start: 0.6, end: 0.7, text: ' é', probability: 0.2 },
        { start: 0.7, end: 1.2, text: ' azul.', probability: 0.4 },
      ],
    }),
    seg(3, 'sim senhor sim senhor sim senhor'),
  ];
  const md = render(transcript(segments), 'md');
  const lines = md.split('\n');
  const show = (text: string) => confidenceMarks(text, segments).map((m) => [m.kind, text.split('\n')[m.line].slice(m.start, m.end), m.from, m.to]);
  assert.deepEqual(show(md), [
    ['unsure', 'é', 0.6, 0.7],
    ['unsure', 'azul.', 0.7, 1.2],
    ['suspect', 'sim senhor sim senhor sim senhor', 3, 5],
  ]);
  // "A" in "casa" is never taken for the word "A"; a line typed above moves the marks with it; a corrected word loses its mark.
  const edited = md.replace('A casa é azul.', 'A casa é verde.').replace(lines[0], lines[0] + '\n\nMinhas notas: é importante.');
  assert.deepEqual(show(edited), [
    ['unsure', 'é', 0.6, 0.7],
    ['suspect', 'sim senhor sim senhor sim senhor', 3, 5],
  ]);
  assert.ok(!/Minhas notas: é/.test(edited.split('\n')[confidenceMarks(edited, segments)[0].line]), 'the typed line above the transcript is not marked');
});
