// The vocabulary from its sources (setting, workspace file, --vocabulary) to the window prompt's tokens.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'node:test';
import { parseCli } from '../../src/cli/arguments';
import { DEFAULT_SETTINGS, toLiveStartParams, toTranscribeParams } from '../../src/extension/settings';
import { readVocabularyFile, vocabularyPrompt, vocabularyTerms } from '../../src/options/vocabularyList';
import { MAX_VOCABULARY_TOKENS } from '../../src/whisper/decode';
import { promptRoom, windowPrompt } from '../../src/whisper/prompt';
import { tmpDir } from '../fixtures/tmp';

/** A temporary folder with these files and their text. */
function folderWith(files: Record<string, string>): string {
  const dir = tmpDir('vocabulary');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

test('vocabulary terms: lines, commas and semicolons split; # comments, blanks and extra spaces dropped', () => {
  const text = '# names of the project\nNestor  Pestana\r\nFalaBrasil, Kubernetes ; gRPC\n\n   \nRoma # a city\n';
  assert.deepEqual(vocabularyTerms(text), ['Nestor Pestana', 'FalaBrasil', 'Kubernetes', 'gRPC', 'Roma']);
});

test('vocabulary prompt: the sources in order, each term once whatever its case, nothing when empty', () => {
  assert.equal(vocabularyPrompt('FalaBrasil, Nestor Pestana', 'nestor pestana\nRoma', undefined), 'FalaBrasil, Nestor Pestana, Roma');
  assert.equal(vocabularyPrompt('', '# only a comment\n', undefined), undefined);
});

test('vocabulary file: absent is no vocabulary; a folder in its place is an error for the caller', () => {
  const dir = folderWith({ 'words.txt': 'Nestor Pestana\n', 'folder/x': '' });
  assert.equal(readVocabularyFile(path.join(dir, 'words.txt')), 'Nestor Pestana\n');
  assert.equal(readVocabularyFile(path.join(dir, 'missing.txt')), undefined);
  assert.throws(() => readVocabularyFile(path.join(dir, 'folder')), /EISDIR/);
});

test('--vocabulary: terms or @file reach transcribe, batch and live requests; a missing @file is a usage error', () => {
  const dir = folderWith({ 'a.wav': '', 'b.wav': '', 'words.txt': '# team\nNestor Pestana\nFalaBrasil\n' });
  const one = parseCli(['transcribe', 'a.wav', '--vocabulary', 'FalaBrasil,  Nestor Pestana'], dir);
  assert.equal(one.kind === 'transcribe' && one.params.vocabulary, 'FalaBrasil, Nestor Pestana');
  const batch = parseCli(['transcribe', 'a.wav', 'b.wav', '--vocabulary', '@words.txt'], dir);
  assert.equal(batch.kind === 'batch' && batch.params.vocabulary, 'Nestor Pestana, FalaBrasil');
  const live = parseCli(['meeting', '--input', 'a.wav', '--vocabulary', '@words.txt'], dir);
  assert.equal(live.kind === 'live' && live.params.vocabulary, 'Nestor Pestana, FalaBrasil');
  const none = parseCli(['transcribe', 'a.wav'], dir);
  assert.equal(none.kind === 'transcribe' && 'vocabulary' in none.params, false);
  assert.throws(
    () => parseCli(['transcribe', 'a.wav', '--vocabulary', '@nope.txt'], dir),
    (e: Error & { kind?: string }) => e.kind === 'usage' && /no such file: .*nope\.txt/.test(e.message),
  );
});

test('the vocabulary setting reaches file and live requests, normalised; empty sends none', () => {
  const settings = { ...DEFAULT_SETTINGS, vocabulary: 'FalaBrasil;Nestor Pestana, falabrasil' };
  assert.equal(toTranscribeParams(settings, '/x.wav').vocabulary, 'FalaBrasil, Nestor Pestana');
  assert.equal(toLiveStartParams(settings, 'dictation', 'base').vocabulary, 'FalaBrasil, Nestor Pestana');
  assert.equal('vocabulary' in toTranscribeParams(DEFAULT_SETTINGS, '/x.wav'), false);
});

test('window prompt: vocabulary first and whole, then the most recent previous text in the room left', () => {
  const SOT_PREV = 1;
  const sot = [50, 51, 52];
  const vocabulary = [7, 8, 9];
  const previous = Array.from({ length: 300 }, (_, i) => 1000 + i);
  const room = promptRoom(448);
  assert.equal(room, 223);
  const p = windowPrompt(SOT_PREV, vocabulary, previous, sot, room);
  assert.deepEqual(p.slice(0, 4), [SOT_PREV, 7, 8, 9]);
  assert.equal(p.length, 1 + room + sot.length, 'the prompt fills its room exactly');
  assert.deepEqual(p.slice(4, -3), previous.slice(-(room - 3)), 'the newest previous tokens are kept');
  assert.deepEqual(p.slice(-3), sot);
  // Either part alone, and neither.
  assert.deepEqual(windowPrompt(SOT_PREV, vocabulary, [], sot, room), [SOT_PREV, 7, 8, 9, 50, 51, 52]);
  assert.deepEqual(windowPrompt(SOT_PREV, [], [5, 6], sot, room), [SOT_PREV, 5, 6, 50, 51, 52]);
  assert.deepEqual(windowPrompt(SOT_PREV, [], [], sot, room), sot);
  // The vocabulary's cap leaves the previous text half of the room.
  assert.ok(MAX_VOCABULARY_TOKENS <= room / 2 && MAX_VOCABULARY_TOKENS > room / 2 - 1);
});
