// Renames and merges: the transcript, and the document already written from it, edited only where it still holds
// what TranscrevAI wrote (a person's corrections survive), as one set of edits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderMarkdown } from '../../src/output/markdown';
import { renderMeetingNotes } from '../../src/output/meetingNotes';
import { applyTextEdits, mergeSpeakers, renameSpeaker, speakerDocumentEdits } from '../../src/output/speakers';
import type { Transcript } from '../../src/transcript';

const meeting: Transcript = {
  input: '/m/meeting.wav',
  model: 'base',
  precision: 'int8',
  language: 'pt',
  duration: 60,
  segments: [
    { start: 0, end: 10, text: 'Bom dia.', speaker: 'SPEAKER_1' },
    { start: 10, end: 20, text: 'Bom dia a todos.', speaker: 'SPEAKER_2' },
    { start: 20, end: 40, text: 'Vamos começar.', speaker: 'SPEAKER_3' },
    { start: 40, end: 50, text: 'Certo.', speaker: 'SPEAKER_1' },
  ],
  speakers: [
    { id: 'SPEAKER_1', name: 'Speaker 1', speakingTime: 20 },
    { id: 'SPEAKER_2', name: 'Speaker 2', speakingTime: 10 },
    { id: 'SPEAKER_3', name: 'Speaker 3', speakingTime: 20 },
  ],
  voices: { space: 'S', bySpeaker: { SPEAKER_1: [1, 0], SPEAKER_2: [0, 1], SPEAKER_3: [0.6, 0.8] } },
  timing: { load: 0, decode: 0, transcribe: 0, total: 0 },
  rtf: 0,
};
const info = { startedAt: new Date(2026, 11, 3, 10, 0, 0), recording: '/m/meeting.wav', notesPath: '/m/meeting.md' };

test('merge: segments, turns and speaking time follow; the gone speaker loses its voice; unknown ids are an error', () => {
  const merged = mergeSpeakers(meeting, 'SPEAKER_3', 'SPEAKER_1');
  assert.deepEqual(
    merged.segments.map((s) => s.speaker),
    ['SPEAKER_1', 'SPEAKER_2', 'SPEAKER_1', 'SPEAKER_1'],
  );
  assert.deepEqual(merged.speakers, [
    { id: 'SPEAKER_1', name: 'Speaker 1', speakingTime: 40 },
    { id: 'SPEAKER_2', name: 'Speaker 2', speakingTime: 10 },
  ]);
  assert.deepEqual(Object.keys(merged.voices!.bySpeaker), ['SPEAKER_1', 'SPEAKER_2']);
  assert.throws(() => mergeSpeakers(meeting, 'SPEAKER_9', 'SPEAKER_1'), /no speaker SPEAKER_9/);
});

test("meeting notes: a rename then a merge edit only TranscrevAI's lines; a corrected turn and typed notes survive", () => {
  const written = renderMeetingNotes(meeting, info);
  // The person fixed a word in a turn and added a line of their own.
  const typed = written.replace('Vamos começar.', 'Vamos começar a reunião.') + '\nAção: enviar a ata (Speaker 3).\n';
  const renamed = renameSpeaker(meeting, 'SPEAKER_1', 'Ana');
  const afterRename = applyTextEdits(typed, speakerDocumentEdits(typed, meeting, renamed));
  assert.equal(afterRename, renderMeetingNotes(renamed, info).replace('Vamos começar.', 'Vamos começar a reunião.') + '\nAção: enviar a ata (Speaker 3).\n');
  const merged = mergeSpeakers(renamed, 'SPEAKER_3', 'SPEAKER_1');
  const afterMerge = applyTextEdits(afterRename, speakerDocumentEdits(afterRename, renamed, merged));
  assert.match(afterMerge, /^speakers: \["Ana", "Speaker 2"\]$/m);
  assert.match(afterMerge, /^\| Ana \| 00:00:40 \| 80 % \|$/m);
  assert.doesNotMatch(afterMerge, /^\*\*Speaker 3\*\*/m, 'no turn header of the merged speaker is left');
  assert.match(afterMerge, /^\*\*Ana\*\* \[00:00:20\]\nVamos começar a reunião\.$/m, "the merged turn keeps the person's correction");
  assert.match(afterMerge, /Ação: enviar a ata \(Speaker 3\)\./, 'text the person typed is never changed');
});

test('a file transcript: the header list and turn headers; a header the person rewrote is left alone', () => {
  const written = renderMarkdown(meeting).replace('**Speaker 2** [00:00:10]', '**Speaker 2 (guest)** [00:00:10]');
  const renamed = renameSpeaker(meeting, 'SPEAKER_2', 'Bruno');
  const edited = applyTextEdits(written, speakerDocumentEdits(written, meeting, renamed));
  assert.match(edited, /^- \*\*Speakers:\*\* Speaker 1, Bruno, Speaker 3$/m);
  assert.match(edited, /^\*\*Speaker 2 \(guest\)\*\* \[00:00:10\]$/m);
  assert.deepEqual(speakerDocumentEdits(edited, renamed, renamed), [], 'no change, no edit');
});
