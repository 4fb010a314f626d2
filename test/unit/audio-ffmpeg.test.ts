// ffmpeg discovery order (explicit → ffmpeg-static if its file exists → PATH), and the ffmpeg banner parsers.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findFfmpeg } from '../../src/audio/ffmpeg';
import { parseClock, parseProbe, summarizeFfmpegError } from '../../src/audio/decode';
import { TranscrevError } from '../../src/errors';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ffmpeg-find-'));
const mk = (rel: string) => {
  const p = path.join(dir, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, '#!/bin/sh\n');
  fs.chmodSync(p, 0o755);
  return p;
};
const explicitBin = mk('explicit/ffmpeg');
const envBin = mk('env/ffmpeg');
const staticBin = mk('static/ffmpeg');
const pathBin = mk('onpath/ffmpeg');
const env = { PATH: path.dirname(pathBin) };
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

test('an explicit path (setting/flag) wins over everything', () => {
  const r = findFfmpeg({ explicit: explicitBin, env: { ...env, TRANSCREVAI_FFMPEG: envBin }, ffmpegStatic: () => staticBin });
  assert.deepEqual(r, { path: explicitBin, source: 'setting' });
});

test('TRANSCREVAI_FFMPEG comes next, reported as a setting', () => {
  const r = findFfmpeg({ env: { ...env, TRANSCREVAI_FFMPEG: envBin }, ffmpegStatic: () => staticBin });
  assert.deepEqual(r, { path: envBin, source: 'setting' });
});

test('an explicit path that does not exist is an error, not a fall-through', () => {
  assert.throws(
    () => findFfmpeg({ explicit: path.join(dir, 'nope'), env, ffmpegStatic: () => staticBin }),
    (e: unknown) => {
      assert.ok(e instanceof TranscrevError);
      assert.match(e.message, /ffmpeg not found at .*nope/);
      return true;
    },
  );
});

test('ffmpeg-static is used only when the file it names exists', () => {
  assert.deepEqual(findFfmpeg({ env, ffmpegStatic: () => staticBin }), { path: staticBin, source: 'ffmpeg-static' });
  assert.deepEqual(findFfmpeg({ env, ffmpegStatic: () => path.join(dir, 'static/missing') }), { path: pathBin, source: 'path' });
  assert.deepEqual(findFfmpeg({ env, ffmpegStatic: () => null }), { path: pathBin, source: 'path' });
});

test('PATH lookup skips non-executable files', () => {
  const noexec = path.join(dir, 'noexec/ffmpeg');
  fs.mkdirSync(path.dirname(noexec), { recursive: true });
  fs.writeFileSync(noexec, '');
  fs.chmodSync(noexec, 0o644);
  const r = findFfmpeg({ env: { PATH: `${path.dirname(noexec)}:${path.dirname(pathBin)}` }, ffmpegStatic: () => null });
  assert.equal(r.path, pathBin);
});

test('none found: one-line error with the fix', () => {
  assert.throws(
    () => findFfmpeg({ env: { PATH: path.join(dir, 'empty') }, ffmpegStatic: () => null }),
    (e: unknown) => {
      assert.ok(e instanceof TranscrevError);
      assert.equal(e.kind, 'internal');
      assert.match(e.message, /^ffmpeg not found: install ffmpeg .*TRANSCREVAI_FFMPEG/);
      assert.ok(!e.message.includes('\n'));
      return true;
    },
  );
});

test('the real ffmpeg-static package names a missing file here, so the system ffmpeg is found', () => {
  const r = findFfmpeg({ env: { PATH: '/usr/bin' } });
  assert.equal(r.path, '/usr/bin/ffmpeg');
  assert.equal(r.source, 'path');
});

test('probe banner parsing: duration, audio and other streams', () => {
  const banner = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'x.mp4':
  Duration: 01:02:03.50, start: 0.000000, bitrate: 200 kb/s
  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p, 64x48, 10 fps
  Stream #0:1[0x2](eng): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, stereo, fltp, 128 kb/s
  Stream #0:2: Subtitle: mov_text`;
  const p = parseProbe(banner);
  assert.equal(p.duration, 3723.5);
  assert.deepEqual(p.audioStreams, ['aac']);
  assert.deepEqual(p.otherStreams, ['Video: h264', 'Subtitle: mov_text']);
  assert.equal(parseProbe('Duration: N/A, bitrate: 256 kb/s').duration, undefined);
  assert.equal(parseClock('00:00:11.00'), 11);
});

test('ffmpeg errors are summarized to one line without the path', () => {
  assert.equal(summarizeFfmpegError('/tmp/a.mp4: Invalid data found when processing input\n', '/tmp/a.mp4'), 'Invalid data found when processing input');
  assert.equal(
    summarizeFfmpegError('[mov,mp4 @ 0x1] moov atom not found\n/tmp/a.mp4: Invalid data found when processing input', '/tmp/a.mp4'),
    'moov atom not found',
  );
});

test('PATH lookup: absolute entries only, and on Windows .exe only (no .cmd/.bat through cmd.exe)', async () => {
  const { whichSync } = await import('../../src/audio/ffmpeg');
  const { windowsPowerShell } = await import('../../src/engine/affinity');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'transcrevai-which-'));
  const batches = path.join(root, 'batches');
  const programs = path.join(root, 'programs');
  fs.mkdirSync(batches);
  fs.mkdirSync(programs);
  for (const f of ['ffmpeg.cmd', 'ffmpeg.bat']) fs.writeFileSync(path.join(batches, f), '@echo off\n');
  fs.writeFileSync(path.join(programs, 'ffmpeg.exe'), 'MZ');
  assert.equal(whichSync('ffmpeg', { PATH: `${batches};${programs}`, PATHEXT: '.CMD;.BAT;.EXE' }, 'win32'), path.join(programs, 'ffmpeg.exe'));
  assert.equal(whichSync('ffmpeg', { PATH: batches }, 'win32'), null);
  assert.throws(
    () => findFfmpeg({ explicit: path.join(batches, 'ffmpeg.cmd'), platform: 'win32' }),
    /ffmpeg must be a program \(ffmpeg\.exe\), not a batch file/,
  );
  // A relative PATH entry ("." or "bin") would find a program in whatever folder the editor started in.
  const local = path.join(root, 'local');
  fs.mkdirSync(local);
  fs.writeFileSync(path.join(local, 'ffmpeg'), '#!/bin/sh\n', { mode: 0o755 });
  assert.equal(whichSync('ffmpeg', { PATH: path.relative(process.cwd(), local) }, 'linux'), null);
  assert.equal(whichSync('ffmpeg', { PATH: local }, 'linux'), path.join(local, 'ffmpeg'));
  assert.equal(windowsPowerShell({ SystemRoot: 'D:\\Windows' }), 'D:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
  fs.rmSync(root, { recursive: true, force: true });
});
