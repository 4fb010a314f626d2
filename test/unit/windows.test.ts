// The Windows bugs of issue #29, tested on any platform with Windows' behaviour injected: a transcript whose target
// another program holds open is kept (retried, then written beside it), a child process that cannot be started is
// named with its path and the fix, the fault hook takes a flag file with a drive letter and a child that kills
// itself is reported as killed when its platform gives no signal, and `ffmpeg` without `.exe` resolves on win32.
// The same bugs are tested for real under Wine by test/windows/.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { EventEmitter } from 'events';
import * as fs from 'fs';
import * as path from 'path';
import type { ChildProcess } from 'child_process';
import { findFfmpeg, programExtensions, programFile, whichSync } from '../../src/audio/ffmpeg';
import { probeMedia } from '../../src/audio/decode';
import { WorkerProcess } from '../../src/engine/workerProcess';
import { TranscrevError } from '../../src/errors';
import { freeNameBeside, HELD_RETRY_MS, isHeldError, writeOutputFile, writtenBesideWarning } from '../../src/files/writeOutput';
import { ffmpegProgram, spawnProgram, startError, startProgram } from '../../src/startProgram';
import { parseFault } from '../../src/workers/serve';
import { tmpDir } from '../fixtures/tmp';

const dir = tmpDir('windows');

function errno(code: string, message = `${code}: operation not permitted, rename`): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

/** A rename that fails with `code` for `target` the first `times` calls (Infinity: held for good). */
function heldRename(target: string, code: string, times: number) {
  let failures = 0;
  return {
    rename: (from: string, to: string) => {
      if (to === target && failures < times) {
        failures++;
        throw errno(code);
      }
      fs.renameSync(from, to);
    },
    failures: () => failures,
  };
}

const tempsIn = (d: string) => fs.readdirSync(d).filter((f) => f.endsWith('.tmp'));

test('a target held for a moment (EPERM, EBUSY, EACCES on win32) is replaced after a short backoff', () => {
  for (const code of ['EPERM', 'EBUSY', 'EACCES']) {
    const sub = fs.mkdtempSync(path.join(dir, 'moment-'));
    const target = path.join(sub, 'notes.md');
    fs.writeFileSync(target, 'old');
    const held = heldRename(target, code, 2);
    const slept: number[] = [];
    const written = writeOutputFile(target, 'new', [], { rename: held.rename, platform: 'win32', sleep: (ms) => slept.push(ms), besideIfHeld: true });
    assert.equal(written, target, code);
    assert.equal(fs.readFileSync(target, 'utf8'), 'new');
    assert.deepEqual(slept, [50, 100]);
    assert.deepEqual(tempsIn(sub), []);
    assert.equal(writtenBesideWarning(target, written), undefined);
  }
});

test('a target held for good: the transcript goes beside it under a free name, and the caller is told where', () => {
  const sub = fs.mkdtempSync(path.join(dir, 'held-'));
  const target = path.join(sub, 'notes.md');
  fs.writeFileSync(target, 'open in another program');
  fs.writeFileSync(path.join(sub, 'notes (1).md'), 'an earlier one');
  const held = heldRename(target, 'EPERM', Infinity);
  const slept: number[] = [];
  const written = writeOutputFile(target, 'the transcript', [], { rename: held.rename, platform: 'win32', sleep: (ms) => slept.push(ms), besideIfHeld: true });
  assert.equal(written, path.join(sub, 'notes (2).md'));
  assert.equal(fs.readFileSync(written, 'utf8'), 'the transcript');
  assert.equal(fs.readFileSync(target, 'utf8'), 'open in another program', 'the held file is left alone');
  assert.equal(fs.readFileSync(path.join(sub, 'notes (1).md'), 'utf8'), 'an earlier one', 'an existing file is never replaced');
  assert.deepEqual(slept, HELD_RETRY_MS);
  assert.equal(held.failures(), HELD_RETRY_MS.length + 1);
  assert.deepEqual(tempsIn(sub), []);
  assert.equal(writtenBesideWarning(target, written), `${target} is held open by another program; the transcript was written to ${written} instead.`);
});

test('a held state file (no besideIfHeld) fails with where its text was kept; elsewhere EPERM is not retried', () => {
  const sub = fs.mkdtempSync(path.join(dir, 'state-'));
  const target = path.join(sub, 'queue.json');
  fs.writeFileSync(target, '{}');
  const held = heldRename(target, 'EBUSY', Infinity);
  assert.throws(
    () => writeOutputFile(target, '{"new":1}', [], { rename: held.rename, platform: 'win32', sleep: () => undefined }),
    (e: unknown) => e instanceof TranscrevError && /cannot replace .*queue\.json: EBUSY.*; the text is kept in .*\.tmp$/.test(e.message),
  );
  const [kept] = tempsIn(sub);
  assert.equal(fs.readFileSync(path.join(sub, kept), 'utf8'), '{"new":1}');
  fs.rmSync(path.join(sub, kept));

  // On Linux EPERM from a rename is a real permission problem: one try, the error as it was, no file left behind.
  const linux = heldRename(target, 'EPERM', Infinity);
  assert.throws(() => writeOutputFile(target, 'x', [], { rename: linux.rename, platform: 'linux', sleep: () => assert.fail('no retry') }), /EPERM/);
  assert.equal(linux.failures(), 1);
  assert.deepEqual(tempsIn(sub), []);
  assert.equal(isHeldError(errno('EPERM'), 'linux'), false);
  assert.equal(isHeldError(errno('ENOENT'), 'win32'), false);
  assert.equal(
    freeNameBeside(path.join(sub, 'a.b.srt'), () => false),
    path.join(sub, 'a.b (1).srt'),
  );
});

test('a program that cannot be started, synchronously (Windows: spawn UNKNOWN) or by an error event, is named with its path and the fix', async () => {
  const exe = 'C:\\Tools\\ffmpeg\\bin\\ffmpeg.exe';
  assert.throws(
    () =>
      startProgram(ffmpegProgram(exe), () => {
        throw Object.assign(new Error('spawn UNKNOWN'), { code: 'UNKNOWN', errno: -4094, syscall: 'spawn' });
      }),
    (e: unknown) =>
      e instanceof TranscrevError &&
      e.kind === 'internal' &&
      e.message === `ffmpeg could not be started (${exe}): spawn UNKNOWN. Set transcrevai.ffmpegPath / --ffmpeg to a working ffmpeg.`,
  );
  // An error emitted before the process started reaches every listener as that error; one after it is left alone.
  const fake = new EventEmitter() as ChildProcess;
  const child = startProgram({ name: 'sox', path: 'C:\\sox\\sox.exe', fix: 'Install SoX.', kind: 'device' }, () => fake);
  const seen: unknown[] = [];
  child.on('error', (e) => seen.push(e));
  child.emit('error', errno('EACCES', 'spawn EACCES'));
  assert.ok(seen[0] instanceof TranscrevError && seen[0].kind === 'device');
  assert.equal((seen[0] as Error).message, 'sox could not be started (C:\\sox\\sox.exe): spawn EACCES. Install SoX.');
  child.emit('spawn');
  const late = new Error('kill EPERM');
  child.emit('error', late);
  assert.equal(seen[1], late);
  assert.equal(startError(ffmpegProgram(exe), seen[0]), seen[0], 'an error already made is passed on as it is');

  // For real: a program that does not exist (ENOENT, emitted), through spawnProgram and through probeMedia.
  const missing = path.join(dir, 'no-such-ffmpeg');
  const real = spawnProgram(ffmpegProgram(missing), ['-version'], { stdio: 'ignore' });
  const err = await new Promise<Error>((resolve) => real.on('error', resolve));
  assert.match(err.message, new RegExp(`^ffmpeg could not be started \\(${missing}\\): spawn .*ENOENT\\. Set transcrevai\\.ffmpegPath`));
  const wav = path.join(dir, 'x.wav');
  fs.writeFileSync(wav, 'RIFF');
  await assert.rejects(probeMedia(wav, { ffmpeg: { path: missing, source: 'setting' } }), /^TranscrevError: ffmpeg could not be started \(.*no-such-ffmpeg\)/);
});

test('the fault hook splits off three fields only, so a flag file may have a drive letter', () => {
  assert.deepEqual(parseFault('transcription:crash:1500:C:\\Users\\me\\AppData\\Local\\Temp\\flag', 'transcription'), {
    fault: 'crash',
    afterMs: 1500,
    flag: 'C:\\Users\\me\\AppData\\Local\\Temp\\flag',
  });
  assert.deepEqual(parseFault('transcription:crash:1500:/tmp/flag', 'transcription'), { fault: 'crash', afterMs: 1500, flag: '/tmp/flag' });
  assert.deepEqual(parseFault('diarization:hang:50', 'diarization'), { fault: 'hang', afterMs: 50 });
  assert.deepEqual(parseFault('transcription:slow:250', 'transcription'), { fault: 'slow', afterMs: 250 });
  assert.deepEqual(parseFault('capture:nostart:0:D:\\f', 'capture'), { fault: 'nostart', afterMs: 0, flag: 'D:\\f' });
  assert.equal(parseFault('diarization:hang:50', 'transcription'), undefined);
  assert.equal(parseFault(undefined, 'transcription'), undefined);
});

test('a child that says it kills itself and exits with code 1 and no signal (Windows) is reported as killed (SIGKILL)', async () => {
  // What a Windows child does: the crash fault's last words, then TerminateProcess's exit code 1.
  const entry = path.join(dir, 'dying-worker.js');
  fs.writeFileSync(
    entry,
    `process.send({ type: 'ready', pid: process.pid });
process.on('message', (m) => { if (m.type === 'request') process.send({ type: 'dying', signal: 'SIGKILL' }, undefined, {}, () => process.exit(1)); });
process.on('disconnect', () => process.exit(0));
`,
  );
  const warnings: string[] = [];
  const worker = new WorkerProcess('transcription', entry, { maxRestarts: 1 });
  try {
    await assert.rejects(
      worker.request('transcribe' as never, {} as never, { onWarning: (m) => warnings.push(m) }),
      /The transcription process was killed \(SIGKILL\) again after 1 restarts \(limit 1\); gave up on it\./,
    );
    assert.deepEqual(warnings, ['The transcription process was killed (SIGKILL); restarted it (1/1) and gave it its work again.']);
  } finally {
    await worker.dispose();
  }
  // A child that only exits with code 1 says so.
  const plain = path.join(dir, 'exiting-worker.js');
  fs.writeFileSync(plain, `process.send({ type: 'ready', pid: process.pid });\nprocess.on('message', () => process.exit(1));\n`);
  const other = new WorkerProcess('transcription', plain, { maxRestarts: 0 });
  try {
    await assert.rejects(other.request('transcribe' as never, {} as never), /The transcription process exited with code 1 again after 0 restarts/);
  } finally {
    await other.dispose();
  }
});

test('win32: --ffmpeg …\\ffmpeg without .exe resolves to ffmpeg.exe, and PATH lookups follow PATHEXT (programs only)', () => {
  const bin = path.join(dir, 'win-bin');
  fs.mkdirSync(bin, { recursive: true });
  const exe = path.join(bin, 'ffmpeg.exe');
  fs.writeFileSync(exe, 'MZ');
  fs.writeFileSync(path.join(bin, 'sox.cmd'), '@echo off');
  fs.writeFileSync(path.join(bin, 'tool.com'), 'MZ');
  const env = { PATH: bin, PATHEXT: '.COM;.EXE;.BAT;.CMD;.VBS;.JS' };
  assert.deepEqual(findFfmpeg({ explicit: path.join(bin, 'ffmpeg'), env, platform: 'win32', ffmpegStatic: () => null }), { path: exe, source: 'setting' });
  assert.deepEqual(findFfmpeg({ explicit: exe, env, platform: 'win32', ffmpegStatic: () => null }), { path: exe, source: 'setting' });
  assert.throws(() => findFfmpeg({ explicit: path.join(bin, 'ffmpeg'), env, platform: 'linux', ffmpegStatic: () => null }), /ffmpeg not found at/);
  assert.throws(
    () => findFfmpeg({ explicit: path.join(bin, 'nope'), env, platform: 'win32', ffmpegStatic: () => null }),
    /ffmpeg not found at .*nope \(nor .*nope\.exe\)/,
  );
  assert.deepEqual(programExtensions(env), ['.com', '.exe']);
  assert.deepEqual(programExtensions({}), ['.com', '.exe']);
  assert.deepEqual(programExtensions({ PATHEXT: '.BAT' }), ['.exe']);
  assert.equal(programFile(path.join(bin, 'tool'), env, 'win32'), path.join(bin, 'tool.com'));
  assert.equal(whichSync('ffmpeg', env, 'win32'), exe);
  assert.equal(whichSync('ffmpeg.exe', env, 'win32'), exe);
  assert.equal(whichSync('sox', env, 'win32'), null, 'a .cmd is never run (cmd.exe re-parses its arguments)');
  assert.deepEqual(findFfmpeg({ env, platform: 'win32', ffmpegStatic: () => null }), { path: exe, source: 'path' });
});
