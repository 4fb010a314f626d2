// Data safety in pure functions (issue #15): outputs never over inputs and written whole, private working
// folders, stale ones cleaned, one-line names, links that survive "#" and "?", early language checks, clipping
// and short decodes noticed.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { ClipMeter, clippingWarning } from '../../src/audio/clipping';
import { decodeShortfall } from '../../src/audio/decode';
import { JournalWriter } from '../../src/audio/journal';
import { WavJournalWriter } from '../../src/audio/wavJournal';
import { isInside } from '../../src/files/isInside';
import { makePrivateFolder, removeStaleJobFolders } from '../../src/files/jobFolders';
import { sameFile, writeOutputFile } from '../../src/files/writeOutput';
import { renderMarkdown } from '../../src/output/markdown';
import { renderMeetingNotes } from '../../src/output/meetingNotes';
import { renderRttm } from '../../src/output/rttm';
import type { Transcript } from '../../src/transcript';
import { checkLanguage, checkLanguageForModel } from '../../src/whisper/languages';
import { tmpDir } from '../fixtures/tmp';

const dir = tmpDir('files-safety');

test('writeOutputFile refuses the input by any name (same path, symlink, hard link) and leaves it as it was', () => {
  const input = path.join(dir, 'in.wav');
  fs.writeFileSync(input, 'RIFF recording');
  const link = path.join(dir, 'in-symlink.md');
  const hard = path.join(dir, 'in-hardlink.md');
  fs.symlinkSync(input, link);
  fs.linkSync(input, hard);
  for (const target of [input, link, hard, `${dir}/./in.wav`]) {
    assert.ok(sameFile(target, input), target);
    assert.throws(() => writeOutputFile(target, 'transcript', [input]), /refusing to write the transcript over its own input/);
  }
  assert.equal(fs.readFileSync(input, 'utf8'), 'RIFF recording');
  assert.equal(sameFile(path.join(dir, 'new.md'), input), false);
});

test('writeOutputFile replaces a file whole, keeps its mode, follows a symlink to its file, and leaves no temporary file', () => {
  const out = path.join(dir, 'out.md');
  fs.writeFileSync(out, 'old '.repeat(1000));
  fs.chmodSync(out, 0o640);
  writeOutputFile(out, 'new');
  assert.equal(fs.readFileSync(out, 'utf8'), 'new');
  assert.equal(fs.statSync(out).mode & 0o777, 0o640);
  const viaLink = path.join(dir, 'out-link.md');
  fs.symlinkSync(out, viaLink);
  writeOutputFile(viaLink, 'newer');
  assert.ok(fs.lstatSync(viaLink).isSymbolicLink(), 'the link is still a link');
  assert.equal(fs.readFileSync(out, 'utf8'), 'newer');
  assert.deepEqual(
    fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')),
    [],
  );
});

test('isInside compares paths, not string prefixes', () => {
  assert.equal(isInside('/w/notes', '/w/notes/a.md'), true);
  assert.equal(isInside('/w/notes', '/w/notes/sub/a.md'), true);
  assert.equal(isInside('/w/notes', '/w/notes-old/a.md'), false);
  assert.equal(isInside('/w/notes', '/w/notes/../x.md'), false);
  assert.equal(isInside('/w/notes', '/w/notes'), false);
  assert.equal(isInside('/w/notes', '/w/notes/..hidden.md'), true);
});

test('private folders are 0700 and carry their owner; only job folders of dead processes are removed', () => {
  const root = path.join(dir, 'tmp-root');
  fs.mkdirSync(root);
  const mine = makePrivateFolder('job', root);
  assert.equal(fs.statSync(mine).mode & 0o777, 0o700);
  assert.match(path.basename(mine), new RegExp(`^transcrevai-job-${process.pid}-\\w{6}$`));
  // A pid that is certainly dead: a child that has exited and been reaped.
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  const staleJob = path.join(root, `transcrevai-job-${dead}-abcdef`);
  const staleLive = path.join(root, `transcrevai-live-${dead}-abcdef`);
  const unrelated = path.join(root, `transcrevai-job-notmine`);
  for (const d of [staleJob, staleLive, unrelated]) fs.mkdirSync(d);
  fs.writeFileSync(path.join(staleJob, 'audio.f32'), Buffer.alloc(1024));
  assert.deepEqual(removeStaleJobFolders(root), [staleJob]);
  assert.ok(fs.existsSync(mine) && fs.existsSync(staleLive) && fs.existsSync(unrelated));
});

test('recordings and journals are created for their owner only (0600), never over a planted file', () => {
  const wav = path.join(dir, 'rec.wav');
  const w = new WavJournalWriter(wav);
  w.append(Buffer.alloc(320));
  w.close();
  assert.equal(fs.statSync(wav).mode & 0o777, 0o600);
  const journal = path.join(dir, 'audio.f32');
  const j = new JournalWriter(journal);
  j.write(Buffer.alloc(16));
  j.commit();
  assert.equal(fs.statSync(journal).mode & 0o777, 0o600);
});

const transcript = (input: string, speakers?: Transcript['speakers']): Transcript => ({
  input,
  model: 'base',
  precision: 'int8',
  language: 'en',
  duration: 2,
  segments: [{ start: 0, end: 2, text: 'hello', speaker: speakers ? 'SPEAKER_1' : undefined }],
  speakers,
  timing: { load: 0, decode: 0, transcribe: 0, total: 0 },
  rtf: 0,
});

test('names with line breaks stay on one line in Markdown, RTTM and speaker labels', () => {
  const md = renderMarkdown(transcript('/m/a\n# injected\r\n- item.wav', [{ id: 'SPEAKER_1', name: 'Ana\n# boss', speakingTime: 2 }]));
  assert.deepEqual(
    md.split('\n').filter((l) => /^#/.test(l)),
    ['# Transcript: a # injected - item.wav'], // mid-line, "#" and "-" are text
  );
  assert.ok(md.includes('**Ana # boss** [00:00:00]'), md);
  const rttm = renderRttm(transcript('/m/my talk\nx.wav', [{ id: 'SPEAKER_1', name: 'A', speakingTime: 2 }]));
  assert.match(rttm, /^SPEAKER my_talk_x 1 /);
});

test('the meeting notes link to a recording whose name holds "#", "?", spaces or parentheses', () => {
  const t = transcript('/w/meetings/q&a #3 (final)?.wav');
  const md = renderMeetingNotes(t, { startedAt: new Date(2026, 11, 2, 10), recording: t.input, notesPath: '/w/meetings/notes.md' });
  assert.ok(md.includes('(q%26a%20%233%20%28final%29%3F.wav)'), md);
  assert.equal(decodeURIComponent('q%26a%20%233%20%28final%29%3F.wav'), 'q&a #3 (final)?.wav');
});

test('languages are checked before anything loads; an English-only model takes English or auto only', () => {
  for (const ok of ['auto', 'pt', 'EN', 'haw', 'yue']) assert.doesNotThrow(() => checkLanguage(ok), ok);
  for (const bad of ['zz', 'pt-BR', 'portuguese', '']) assert.throws(() => checkLanguage(bad), /Unknown language/, bad);
  assert.doesNotThrow(() => checkLanguageForModel('en', false, 'tiny.en'));
  assert.doesNotThrow(() => checkLanguageForModel('auto', false, 'tiny.en'));
  assert.throws(() => checkLanguageForModel('pt', false, 'tiny.en'), /tiny\.en is English-only/);
  assert.doesNotThrow(() => checkLanguageForModel('pt', true, 'base'));
});

test('clipping is counted across chunks split inside a sample; real speech levels do not warn', () => {
  const samples = new Float32Array([0.5, 1, -1, 0.995, 0.2, -0.999, 0.98, 0]);
  const bytes = Buffer.from(samples.buffer);
  const meter = new ClipMeter();
  for (const [a, b] of [
    [0, 3],
    [3, 13],
    [13, 32],
  ])
    meter.add(bytes.subarray(a, b));
  assert.deepEqual({ clipped: meter.clipped, samples: meter.samples }, { clipped: 4, samples: 8 });
  assert.match(clippingWarning(4, 8)!, /^50\.0 % of the audio is clipped/);
  assert.equal(clippingWarning(9, 1000), undefined);
  assert.equal(clippingWarning(0, 0), undefined);
});

test('a decode well short of the probed duration is reported; a small difference is not', () => {
  const audioOnly = { duration: 11.09, audioStreams: ['mp3'], otherStreams: [] };
  assert.match(
    decodeShortfall('/x.mp3', audioOnly, 0.44, 'Invalid data found when processing input')!,
    /^Only 0\.4 s of audio could be decoded from \/x\.mp3, which says it lasts 11\.1 s: the file looks damaged or cut off \(ffmpeg: Invalid data/,
  );
  assert.equal(decodeShortfall('/x.mp3', audioOnly, 10.5), undefined);
  assert.equal(decodeShortfall('/x.mp3', { ...audioOnly, duration: undefined }, 1), undefined);
  assert.match(decodeShortfall('/v.mp4', { duration: 60, audioStreams: ['aac'], otherStreams: ['Video: h264'] }, 50)!, /or its audio ends before its video/);
});
