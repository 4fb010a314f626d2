// What the panel plays: a recording the webview can play is played as it is; an AAC in MP4 gets an Opus copy, made
// once per version of the recording, as long as the original.
import assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'node:test';
import { probeMedia } from '../../src/audio/decode';
import { findFfmpeg } from '../../src/audio/ffmpeg';
import { isWebviewPlayable, playbackFor } from '../../src/audio/playback';
import { TESTDATA } from '../fixtures/shared';
import { tmpDir } from '../fixtures/tmp';

const JFK = path.join(TESTDATA, 'en', 'jfk.wav');

test('playable as it is: WAV, MP3, FLAC; not: AAC in MP4, anything in Matroska', () => {
  assert.equal(isWebviewPlayable('a.wav', { audioStreams: ['pcm_s16le'], otherStreams: [] }), true);
  assert.equal(isWebviewPlayable('a.mp3', { audioStreams: ['mp3'], otherStreams: [] }), true);
  assert.equal(isWebviewPlayable('a.flac', { audioStreams: ['flac'], otherStreams: [] }), true);
  assert.equal(isWebviewPlayable('a.m4a', { audioStreams: ['aac'], otherStreams: [] }), false);
  assert.equal(isWebviewPlayable('a.mkv', { audioStreams: ['opus'], otherStreams: [] }), false);
  assert.equal(isWebviewPlayable('a.wav', { audioStreams: ['adpcm_ms'], otherStreams: [] }), false);
});

test('a recording the webview plays is used as it is; an m4a gets one Opus copy as long as itself, reused', async () => {
  const dir = tmpDir('playback');
  assert.deepEqual(await playbackFor(JFK, path.join(dir, 'copies')), { file: JFK, copied: false });
  const m4a = path.join(dir, 'talk.m4a');
  execFileSync(findFfmpeg().path, ['-v', 'error', '-i', JFK, '-c:a', 'aac', '-b:a', '64k', m4a]);
  const first = await playbackFor(m4a, path.join(dir, 'copies'));
  assert.equal(first.copied, true);
  assert.equal(path.dirname(first.file), path.join(dir, 'copies'));
  const probe = await probeMedia(first.file);
  assert.equal(probe.audioStreams[0], 'opus');
  assert.ok(Math.abs(probe.duration! - 11) < 0.2, `copy lasts ${probe.duration} s`);
  const made = fs.statSync(first.file).mtimeMs;
  const again = await playbackFor(m4a, path.join(dir, 'copies'));
  assert.equal(again.file, first.file);
  assert.equal(fs.statSync(again.file).mtimeMs, made, 'not made twice');
  assert.deepEqual(
    fs.readdirSync(path.join(dir, 'copies')).filter((f) => f.includes('.part')),
    [],
  );
});
