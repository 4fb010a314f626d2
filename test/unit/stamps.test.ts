// Reading our Markdown back for "▶ play": the stamps of the turns and the recording a document is about.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderMarkdown } from '../../src/output/markdown';
import { renderMeetingNotes } from '../../src/output/meetingNotes';
import { recordingOf, stampsOf } from '../../src/output/stamps';
import type { Transcript } from '../../src/transcript';

const transcript: Transcript = {
  input: '/rec/talk_[1] <a>.m4a',
  model: 'base',
  precision: 'int8',
  language: 'pt',
  duration: 3700,
  segments: [
    { start: 0, end: 4, text: 'Olá.', speaker: 'SPEAKER_1' },
    { start: 65.4, end: 70, text: 'Tudo bem?', speaker: 'SPEAKER_2' },
    { start: 3661, end: 3670, text: 'Até logo.', speaker: 'SPEAKER_1' },
  ],
  speakers: [
    { id: 'SPEAKER_1', name: 'Speaker 1', speakingTime: 13 },
    { id: 'SPEAKER_2', name: 'Speaker 2', speakingTime: 4.6 },
  ],
  timing: { load: 0, decode: 0, transcribe: 0, total: 0 },
  rtf: 0,
};

test("a transcript's stamps and its recording (the escaped path read back exactly)", () => {
  const md = renderMarkdown(transcript);
  assert.equal(recordingOf(md, '/elsewhere/talk.md'), '/rec/talk_[1] <a>.m4a');
  assert.deepEqual(
    stampsOf(md).map((s) => s.seconds),
    [0, 65, 3661],
  );
  const s = stampsOf(md)[1];
  assert.equal(md.split('\n')[s.line].slice(s.start, s.end), '[00:01:05]');
});

test('meeting notes: the recording beside the notes, from the front matter; another document has none', () => {
  const notes = renderMeetingNotes(transcript, { startedAt: new Date('2026-12-03T10:00:00Z'), recording: '/m/meeting-1.wav' });
  assert.equal(recordingOf(notes, '/m/meeting-1.md'), '/m/meeting-1.wav');
  assert.ok(stampsOf(notes).length >= 3);
  assert.equal(recordingOf('# My notes\n\n[00:00:05] a stamp of my own\n', '/x/notes.md'), undefined);
  assert.equal(recordingOf(notes, undefined), undefined, 'untitled notes: no folder to find the recording in');
});
