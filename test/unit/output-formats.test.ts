// Output formats: timestamps, grouping by speaker, wrapping, escaping, zero segments, long inputs.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { FORMATS, render, OUTPUT_FORMATS } from '../../src/output';
import { clockTime, srtTime, subtitleCues, vttTime, wrapWords } from '../../src/output/common';
import { mdEscape } from '../../src/output/markdown';
import type { Segment, Transcript } from '../../src/transcript';

function transcript(segments: Segment[], extra: Partial<Transcript> = {}): Transcript {
  return {
    input: '/media/meeting notes.wav',
    model: 'base',
    precision: 'int8',
    language: 'pt',
    duration: 7384.25,
    segments,
    timing: { load: 0.5, decode: 0.25, transcribe: 10, total: 10.75 },
    rtf: 10.75 / 7384.25,
    ...extra,
  };
}

const plain = transcript([
  { start: 0, end: 2.5, text: ' Olá, mundo. ' },
  { start: 2.5, end: 5.123, text: 'Segunda frase.' },
]);

test('timestamps: SRT uses a comma, VTT a dot, both zero-padded; hours beyond 99 minutes', () => {
  assert.equal(srtTime(1), '00:00:01,000');
  assert.equal(vttTime(1), '00:00:01.000');
  assert.equal(srtTime(3723.4567), '01:02:03,457');
  assert.equal(vttTime(100 * 60 + 0.5), '01:40:00.500');
  assert.equal(srtTime(59.9996), '00:01:00,000');
  assert.equal(srtTime(-1), '00:00:00,000');
  assert.equal(clockTime(72.9), '00:01:12');
  assert.equal(clockTime(7384.25), '02:03:04');
  assert.equal(srtTime(360000 + 1), '100:00:01,000');
});

test('every format renders zero segments without throwing', () => {
  const empty = transcript([]);
  for (const f of OUTPUT_FORMATS) assert.equal(typeof render(empty, f), 'string');
  assert.equal(render(empty, 'srt'), '');
  assert.equal(render(empty, 'vtt'), 'WEBVTT\n');
  assert.equal(render(empty, 'txt'), '');
  assert.match(render(empty, 'md'), /No speech detected/);
  assert.deepEqual(JSON.parse(render(empty, 'json')).segments, []);
});

test('the format registry: the CLI contract formats, each with a distinct extension, a label and a renderer', () => {
  for (const id of ['md', 'srt', 'vtt', 'json', 'txt', 'rttm']) assert.ok((OUTPUT_FORMATS as readonly string[]).includes(id), id);
  assert.equal(new Set(FORMATS.map((f) => f.extension)).size, FORMATS.length);
  for (const f of FORMATS) {
    assert.equal(f.extension, `.${f.id}`);
    assert.ok(f.label && f.description && f.languageId);
    assert.equal(typeof render(plain, f.id), 'string');
  }
});

test('SRT: numbered cues, comma times, trimmed text, blank line between cues', () => {
  assert.equal(render(plain, 'srt'), '1\n00:00:00,000 --> 00:00:02,500\nOlá, mundo.\n\n2\n00:00:02,500 --> 00:00:05,123\nSegunda frase.\n');
});

test('VTT: header, dot times', () => {
  assert.equal(render(plain, 'vtt'), 'WEBVTT\n\n00:00:00.000 --> 00:00:02.500\nOlá, mundo.\n\n00:00:02.500 --> 00:00:05.123\nSegunda frase.\n');
});

test('text containing --> cannot break a cue; VTT escapes &, <, >', () => {
  const t = transcript([{ start: 1, end: 2, text: 'a --> b <i>&amp</i>\n\nnext' }]);
  const srt = render(t, 'srt');
  assert.equal(srt.split('-->').length - 1, 1, srt);
  assert.match(srt, /a -> b <i>&amp<\/i> next/);
  const vtt = render(t, 'vtt');
  assert.equal(vtt.split('-->').length - 1, 1, vtt);
  assert.match(vtt, /a --&gt; b &lt;i&gt;&amp;amp&lt;\/i&gt; next/);
});

test('long segments wrap at 42 characters, 2 lines per cue, time split by characters', () => {
  const words = Array.from({ length: 40 }, (_, i) => `palavra${i}`).join(' ');
  const lines = wrapWords(words, 42);
  assert.ok(lines.every((l) => l.length <= 42));
  const cues = subtitleCues(10, 40, words);
  assert.ok(cues.length > 1);
  assert.equal(cues[0].start, 10);
  assert.equal(cues[cues.length - 1].end, 40);
  for (let i = 1; i < cues.length; i++) assert.equal(cues[i].start, cues[i - 1].end);
  assert.ok(cues.every((c) => c.lines.length <= 2));
  const srt = render(transcript([{ start: 10, end: 40, text: words }]), 'srt');
  const blocks = srt.trim().split('\n\n');
  assert.equal(blocks.length, cues.length);
  blocks.forEach((b, i) => assert.ok(b.startsWith(`${i + 1}\n`)));
  // a single word longer than the width stays whole
  assert.deepEqual(wrapWords('x'.repeat(50) + ' y', 42), ['x'.repeat(50), 'y']);
});

const withSpeakers = transcript(
  [
    { start: 0, end: 2, text: 'Bom dia.', speaker: 'S1' },
    { start: 2, end: 4, text: 'Tudo bem?', speaker: 'S1' },
    { start: 72.5, end: 75, text: 'Tudo ótimo.', speaker: 'S2' },
    { start: 75, end: 76, text: 'E você?', speaker: 'S1' },
  ],
  {
    speakers: [
      { id: 'S1', name: 'Speaker 1', speakingTime: 5 },
      { id: 'S2', name: 'Speaker 2', speakingTime: 2.5 },
    ],
  },
);

test('Markdown: title, metadata, [hh:mm:ss] stamps', () => {
  const md = render(plain, 'md');
  assert.match(md, /^# Transcript: meeting notes\.wav\n/);
  assert.match(md, /- \*\*File:\*\* \/media\/meeting notes\.wav/);
  assert.match(md, /- \*\*Duration:\*\* 2 h 03 min 04 s/);
  assert.match(md, /- \*\*Language:\*\* pt/);
  assert.match(md, /- \*\*Model:\*\* base \(int8\)/);
  assert.match(md, /\[00:00:00\] Olá, mundo\. {2}\n\[00:00:02\] Segunda frase\.\n$/);
});

test('Markdown: consecutive segments grouped by speaker under **Speaker N** [hh:mm:ss]', () => {
  const md = render(withSpeakers, 'md');
  assert.match(
    md,
    /\*\*Speaker 1\*\* \[00:00:00\]\nBom dia\. Tudo bem\?\n\n\*\*Speaker 2\*\* \[00:01:12\]\nTudo ótimo\.\n\n\*\*Speaker 1\*\* \[00:01:15\]\nE você\?\n/,
  );
  assert.match(md, /- \*\*Speakers:\*\* Speaker 1, Speaker 2/);
});

test('Markdown escapes markup in text', () => {
  assert.equal(mdEscape('*bold* _x_ [link](y) <b>'), '\\*bold\\* \\_x\\_ \\[link\\](y) \\<b\\>');
  assert.equal(mdEscape('# not a title'), '\\# not a title');
  assert.equal(mdEscape('1. not a list'), '1\\. not a list');
  const md = render(transcript([{ start: 0, end: 1, text: '**x**', speaker: 'S1' }]), 'md');
  assert.match(md, /\n\\\*\\\*x\\\*\\\*\n/);
});

test('SRT/VTT/TXT speakers: prefix, voice tag, paragraphs', () => {
  assert.match(render(withSpeakers, 'srt'), /^1\n00:00:00,000 --> 00:00:02,000\nSpeaker 1: Bom dia\.\n/);
  assert.match(render(withSpeakers, 'vtt'), /00:01:12\.500 --> 00:01:15\.000\n<v Speaker 2>Tudo ótimo\.\n/);
  assert.equal(render(withSpeakers, 'txt'), 'Speaker 1: Bom dia. Tudo bem?\n\nSpeaker 2: Tudo ótimo.\n\nSpeaker 1: E você?\n');
  // without a summary the id is shown
  assert.match(render(transcript([{ start: 0, end: 1, text: 'oi', speaker: 'SPEAKER_00' }]), 'srt'), /SPEAKER_00: oi/);
});

test('TXT without speakers: one segment per line', () => {
  assert.equal(render(plain, 'txt'), 'Olá, mundo.\nSegunda frase.\n');
});

test('JSON follows the CLI contract: keys, order, seconds', () => {
  const j = JSON.parse(render(plain, 'json'));
  assert.deepEqual(Object.keys(j), ['input', 'model', 'precision', 'language', 'duration', 'segments', 'timing', 'rtf']);
  assert.deepEqual(j.segments[0], { start: 0, end: 2.5, text: 'Olá, mundo.' });
  assert.deepEqual(Object.keys(j.timing), ['load', 'decode', 'transcribe', 'total']);
  assert.equal(j.duration, 7384.25);
  assert.equal(typeof j.rtf, 'number');
  const s = JSON.parse(render({ ...withSpeakers, timing: { ...withSpeakers.timing, diarize: 1.25 } }, 'json'));
  assert.deepEqual(Object.keys(s), ['input', 'model', 'precision', 'language', 'duration', 'segments', 'speakers', 'timing', 'rtf']);
  assert.deepEqual(Object.keys(s.timing), ['load', 'decode', 'transcribe', 'diarize', 'total']);
  assert.equal(s.segments[2].speaker, 'S2');
  assert.deepEqual(s.speakers[1], { id: 'S2', name: 'Speaker 2', speakingTime: 2.5 });
  // special characters survive JSON round trip
  const special = JSON.parse(render(transcript([{ start: 0, end: 1, text: 'aspas "x" \\ --> \u00e7\n' }]), 'json'));
  assert.equal(special.segments[0].text, 'aspas "x" \\ --> ç');
});

const worded = transcript(
  [
    {
      start: 0,
      end: 2.5,
      text: 'Olá, mundo.',
      speaker: 'SPEAKER_00',
      words: [
        { start: 0.1, end: 0.62, text: ' Olá,', probability: 0.9512 },
        { start: 0.7, end: 1.8, text: ' mundo.', probability: 0.31 },
      ],
    },
    { start: 2.5, end: 5.123, text: 'Sem palavras.', speaker: 'SPEAKER_01' },
  ],
  {
    speakers: [
      { id: 'SPEAKER_00', name: 'Ana', speakingTime: 2.5 },
      { id: 'SPEAKER_01', name: 'Bia', speakingTime: 2.6 },
    ],
  },
);

test('JSON: the words of a segment with their times and probability; none on a segment without', () => {
  const json = JSON.parse(render(worded, 'json'));
  assert.deepEqual(json.segments[0].words, [
    { start: 0.1, end: 0.62, text: ' Olá,', probability: 0.9512 },
    { start: 0.7, end: 1.8, text: ' mundo.', probability: 0.31 },
  ]);
  assert.equal('words' in json.segments[1], false);
});

test('word cues: SRT and VTT get a cue per timed word (the speaker on the first), phrase cues elsewhere; off by default', () => {
  const srt = render(worded, 'srt', { wordCues: true });
  assert.equal(
    srt,
    [
      '1\n00:00:00,100 --> 00:00:00,620\nAna: Olá,\n',
      '2\n00:00:00,700 --> 00:00:01,800\nmundo.\n',
      '3\n00:00:02,500 --> 00:00:05,123\nBia: Sem palavras.\n',
    ].join('\n'),
  );
  const vtt = render(worded, 'vtt', { wordCues: true });
  assert.match(vtt, /00:00:00\.100 --> 00:00:00\.620\n<v Ana>Olá,\n\n00:00:00\.700 --> 00:00:01\.800\n<v Ana>mundo\.\n/);
  assert.equal(render(worded, 'srt'), render(worded, 'srt', { wordCues: false }));
  assert.match(render(worded, 'srt'), /^1\n00:00:00,000 --> 00:00:02,500\nAna: Olá, mundo\.\n/);
});
