// Meeting notes: front matter, participants with speaking time, turns with stamps, the recording link, renames
// that change the name everywhere, and escaping of whatever was said or typed.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { renderMeetingNotes } from '../../src/output/meetingNotes';
import { renameSpeaker } from '../../src/output/speakers';
import type { Transcript } from '../../src/transcript';

const meeting: Transcript = {
  input: '/w/meetings/meeting-2026-12-01-235012.wav',
  model: 'base',
  precision: 'int8',
  language: 'pt',
  duration: 3725.4,
  segments: [
    { start: 3.2, end: 5, text: 'Bom dia a todos.', speaker: 'SPEAKER_1' },
    { start: 5.5, end: 8, text: 'Vamos começar.', speaker: 'SPEAKER_1' },
    { start: 9, end: 12, text: 'Bom dia! <img src=x onerror=alert(1)> **negrito**', speaker: 'SPEAKER_2' },
    { start: 3600, end: 3601, text: 'Até logo.', speaker: 'SPEAKER_1' },
  ],
  speakers: [
    { id: 'SPEAKER_1', name: 'Speaker 1', speakingTime: 90 },
    { id: 'SPEAKER_2', name: 'Speaker 2', speakingTime: 30 },
  ],
  timing: { load: 0, decode: 0, transcribe: 0, total: 0 },
  rtf: 0,
};

const startedAt = new Date(2026, 11, 1, 23, 50, 12);

test('meeting notes: front matter, participants table, turns with [hh:mm:ss], recording link', () => {
  const md = renderMeetingNotes(meeting, { startedAt, recording: meeting.input, notesPath: '/w/meetings/meeting-2026-12-01-235012.md' });
  const [, front] = md.split('---\n');
  assert.match(front, /^title: "Meeting 2026-12-01 23:50"$/m);
  assert.match(front, /^date: 2026-12-01$/m);
  assert.match(front, /^start: "23:50:12"$/m);
  assert.match(front, /^end: "00:52:17"$/m); // 23:50:12 + 1 h 02 min 05.4 s
  assert.match(front, /^duration: "01:02:05"$/m);
  assert.match(front, /^language: "pt"$/m);
  assert.match(front, /^model: "base \(int8\)"$/m);
  assert.match(front, /^speakers: \["Speaker 1", "Speaker 2"\]$/m);
  assert.match(md, /\| Speaker 1 \| 00:01:30 \| 75 % \|\n\| Speaker 2 \| 00:00:30 \| 25 % \|/);
  assert.match(md, /\*\*Speaker 1\*\* \[00:00:03\]\nBom dia a todos\. Vamos começar\.\n/);
  assert.match(md, /\*\*Speaker 1\*\* \[01:00:00\]\nAté logo\./);
  assert.match(md, /Recording: \[meeting-2026-12-01-235012\.wav\]\(meeting-2026-12-01-235012\.wav\)/);
});

test('meeting notes: what was said cannot become markup', () => {
  const md = renderMeetingNotes(meeting, { startedAt });
  assert.ok(!/(^|[^\\])<img/m.test(md), md); // only escaped: Markdown shows it as text
  assert.match(md, /\\<img src=x onerror=alert\(1\)\\> \\\*\\\*negrito\\\*\\\*/);
});

test('renaming a speaker changes the name in the front matter, the table and every turn', () => {
  const renamed = renameSpeaker(meeting, 'SPEAKER_1', '  Ana | Souza ');
  const md = renderMeetingNotes(renamed, { startedAt });
  assert.match(md, /^speakers: \["Ana \| Souza", "Speaker 2"\]$/m);
  assert.match(md, /\| Ana \\\| Souza \| 00:01:30 \| 75 % \|/);
  assert.equal((md.match(/\*\*Ana \\\| Souza\*\*/g) ?? []).length, 2);
  assert.ok(!/Speaker 1/.test(md));
  assert.throws(() => renameSpeaker(meeting, 'SPEAKER_1', '   '), /cannot be empty/);
  assert.equal(meeting.speakers![0].name, 'Speaker 1', 'the original is not changed');
});
