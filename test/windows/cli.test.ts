// The win32-x64 package's CLI under Wine (test/windows/run.sh sets the CLI under test: `wine64 node.exe
// Z:\…\extension\dist\cli.js`, with node.exe and ffmpeg.exe from npm): the product's main paths give what the Linux
// CLI gives on the same inputs, and the Windows bugs of issue #29 stay fixed on Windows' own code paths (a held
// output file, a broken ffmpeg.exe, `--ffmpeg …\ffmpeg` without `.exe`, the fault hook with a drive letter and the
// supervisor's report of a child that killed itself). With tiny.en on 2 threads.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { TESTDATA } from '../fixtures/shared';
import { CLI, cliPath, ffmpeg, JFK, modelDir, runCli, startCli, tmpDir, UNDER_WINE, waitFor } from '../engine/helpers';

const tiny = modelDir('tiny.en');
const skip = !UNDER_WINE ? 'run by test/windows/run.sh (the CLI under Wine)' : tiny ? false : 'tiny.en not built (npm run models)';
const ARGS = ['--model', 'tiny.en', '--language', 'en', '--threads', '2'];
const TWO_SPEAKERS = path.join(TESTDATA, 'diarization', 'pyannote_sample.wav');
const CLIPS = ['spk1_snt1.wav', 'spk1_snt2.wav'].map((f) => path.join(TESTDATA, 'en', 'speechbrain', f));
/** The Unix path of the ffmpeg.exe the suite uses (run.sh). */
const FFMPEG_EXE = process.env.TRANSCREVAI_WINE_FFMPEG ?? '';
const dir = tmpDir('windows');
const T = 240_000;

/** The same command with the Linux CLI (node dist/cli.js), Unix paths. */
function linux(args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: T });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** A JSON transcript without what differs by machine or path (timing, the input's name). */
function comparable(json: string): unknown {
  const { timing: _t, rtf: _r, input: _i, ...rest } = JSON.parse(json);
  return rest;
}

function windows(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = runCli(args, env, T);
  return r;
}

test('jfk, supervised and --in-process: the same text as on Linux', { skip, timeout: 2 * T }, () => {
  const expected = linux(['transcribe', JFK, ...ARGS, '--format', 'txt']);
  assert.match(expected, /ask not what your country can do for you/);
  for (const extra of [[], ['--in-process']]) {
    const r = windows(['transcribe', cliPath(JFK), ...ARGS, '--format', 'txt', ...extra]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.replace(/\r\n/g, '\n'), expected, extra.join(' '));
  }
});

test('--diarize on the 2-speaker sample: the same segments and speakers as on Linux', { skip, timeout: 2 * T }, () => {
  const args = [...ARGS, '--diarize', '--format', 'json'];
  const expected = comparable(linux(['transcribe', TWO_SPEAKERS, ...args]));
  const r = windows(['transcribe', cliPath(TWO_SPEAKERS), ...args]);
  assert.equal(r.code, 0, r.stderr);
  const got = comparable(r.stdout) as { speakers?: unknown[] };
  assert.ok((got.speakers?.length ?? 0) >= 2, JSON.stringify(got.speakers));
  assert.deepEqual(got, expected);
});

test('--format md --out, with spaces and non-ASCII characters in the names; the same file by another spelling is refused', { skip, timeout: 2 * T }, () => {
  const folder = path.join(dir, 'Reunião de março');
  fs.mkdirSync(folder, { recursive: true });
  const input = path.join(folder, 'entrevista ção 1.wav');
  fs.copyFileSync(JFK, input);
  const expected = linux(['transcribe', input, ...ARGS, '--format', 'md']);
  const out = path.join(folder, 'notas da reunião.md');
  const r = windows(['transcribe', cliPath(input), ...ARGS, '--format', 'md', '--out', cliPath(out)]);
  assert.equal(r.code, 0, r.stderr);
  // The same notes but for the file's path as each platform spells it (Markdown escapes Windows' backslashes).
  const written = fs.readFileSync(out, 'utf8').replace(/\r\n/g, '\n');
  const fileLine = /^- \*\*File:\*\* (.*)$/m;
  assert.equal(written.match(fileLine)?.[1].replace(/\\\\/g, '\\'), cliPath(input));
  assert.equal(written.replace(fileLine, ''), expected.replace(fileLine, ''));
  // The input under another spelling (forward slashes, as a Windows program may be given it) is its own input.
  const again = windows(['transcribe', cliPath(input), ...ARGS, '--out', cliPath(input).replace(/\\/g, '/')]);
  assert.equal(again.code, 2, again.stderr);
  assert.match(again.stderr, /refusing to write the transcript over its own input/);
  assert.deepEqual(fs.readFileSync(input), fs.readFileSync(JFK));
});

test('a batch: one transcript per file in --out-dir, and the summary', { skip, timeout: 2 * T }, () => {
  const out = path.join(dir, 'batch out');
  const r = windows(['transcribe', ...CLIPS.map(cliPath), '--out-dir', cliPath(out), '--format', 'txt', ...ARGS]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /batch of 2 files/);
  for (const clip of CLIPS) {
    const name = path.basename(clip, '.wav') + '.txt';
    assert.equal(fs.readFileSync(path.join(out, name), 'utf8').replace(/\r\n/g, '\n'), linux(['transcribe', clip, ...ARGS, '--format', 'txt']), name);
  }
});

test('errors: exit codes and one line each (missing input, not media, unknown option, missing model)', { skip, timeout: T }, () => {
  const missing = windows(['transcribe', cliPath(path.join(dir, 'nope.wav')), ...ARGS]);
  assert.equal(missing.code, 3, missing.stderr);
  assert.match(missing.stderr, /Input file not found: Z:\\.*nope\.wav/);
  const text = path.join(dir, 'notes.wav');
  fs.writeFileSync(text, 'not a recording at all');
  const notMedia = windows(['transcribe', cliPath(text), ...ARGS]);
  assert.equal(notMedia.code, 3, notMedia.stderr);
  assert.match(notMedia.stderr, /Not a readable media file/);
  const usage = windows(['transcribe', cliPath(JFK), '--no-such-option']);
  assert.equal(usage.code, 2, usage.stderr);
  const model = windows(['transcribe', cliPath(JFK), '--model', 'tiny', '--language', 'en'], { TRANSCREVAI_MODELS: cliPath(path.join(dir, 'no-models')) });
  assert.equal(model.code, 4, model.stderr);
  assert.match(model.stderr, /Model "tiny" is not installed/);
});

test('bug 1: --out held open by another program keeps the transcript beside it and says where', { skip, timeout: T }, async () => {
  const folder = path.join(dir, 'held');
  fs.mkdirSync(folder, { recursive: true });
  const target = path.join(folder, 'notes.md');
  fs.writeFileSync(target, 'the old notes');
  // Another Windows program holding notes.md open (node.exe's fs.open does not share delete).
  const ready = path.join(folder, 'holding');
  const [wine, nodeExe] = JSON.parse(process.env.TRANSCREVAI_TEST_CLI!) as string[];
  const logFd = fs.openSync(path.join(folder, 'holder.log'), 'w');
  const holder = spawn(
    wine,
    [
      nodeExe,
      '-e',
      `const fs=require('fs');fs.openSync(process.argv[1],'r');fs.writeFileSync(process.argv[2],'1');setTimeout(()=>{},60000)`,
      cliPath(target),
      cliPath(ready),
    ],
    { stdio: ['ignore', logFd, logFd] },
  );
  fs.closeSync(logFd);
  try {
    assert.ok(await waitFor(() => fs.existsSync(ready), 60_000), 'the holder did not start');
    const r = windows(['transcribe', cliPath(JFK), ...ARGS, '--format', 'md', '--out', cliPath(target)]);
    assert.equal(r.code, 0, r.stderr);
    const beside = path.join(folder, 'notes (1).md');
    assert.match(
      r.stderr,
      /transcrevai: warning: Z:\\.*\\notes\.md is held open by another program; the transcript was written to Z:\\.*\\notes \(1\)\.md instead\./,
    );
    assert.match(fs.readFileSync(beside, 'utf8'), /ask not what your country can do for you/);
    assert.equal(fs.readFileSync(target, 'utf8'), 'the old notes');
    assert.deepEqual(
      fs.readdirSync(folder).filter((f) => f.endsWith('.tmp')),
      [],
    );
  } finally {
    holder.kill('SIGKILL');
  }
});

test('bug 2: a broken ffmpeg.exe is named, with its path and the fix', { skip, timeout: T }, () => {
  const broken = path.join(dir, 'broken ffmpeg', 'ffmpeg.exe');
  fs.mkdirSync(path.dirname(broken), { recursive: true });
  fs.writeFileSync(broken, 'MZ this is not a program');
  const r = windows(['transcribe', cliPath(JFK), ...ARGS, '--ffmpeg', cliPath(broken)]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    /^transcrevai: error: ffmpeg could not be started \(Z:\\.*\\broken ffmpeg\\ffmpeg\.exe\): spawn \w+\. Set transcrevai\.ffmpegPath \/ --ffmpeg to a working ffmpeg\./m,
  );
});

test('bug 4: --ffmpeg …\\ffmpeg without .exe runs ffmpeg.exe', { skip, timeout: T }, () => {
  const folder = path.join(dir, 'ffmpeg bin');
  fs.mkdirSync(folder, { recursive: true });
  fs.copyFileSync(FFMPEG_EXE, path.join(folder, 'ffmpeg.exe'));
  const status = windows(['status', '--ffmpeg', cliPath(path.join(folder, 'ffmpeg'))]);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /ffmpeg: Z:\\.*\\ffmpeg bin\\ffmpeg\.exe \(setting\)/);
  const r = windows(['transcribe', cliPath(JFK), ...ARGS, '--format', 'txt', '--ffmpeg', cliPath(path.join(folder, 'ffmpeg'))]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /ask not what your country can do for you/);
});

test(
  'bug 3: a transcription child killed mid-run (fault hook, flag file Z:\\…) is reported as killed, restarted, same text',
  { skip, timeout: 3 * T },
  async () => {
    const long = path.join(dir, 'jfk x6.wav'); // 66 s
    ffmpeg('-stream_loop', '5', '-i', JFK, '-c', 'copy', long);
    const args = [...ARGS, '--format', 'json'];
    const expected = comparable(linux(['transcribe', long, ...args]));
    const flag = path.join(dir, 'crash flag');
    fs.writeFileSync(flag, '');
    const run = startCli(['transcribe', cliPath(long), ...args, '--progress'], { TRANSCREVAI_WORKER_FAULT: `transcription:crash:2500:${cliPath(flag)}` }, T);
    const restarted = /The transcription process was killed \(SIGKILL\); restarted it \(1\/3\) and gave it its work again/;
    const seen = await waitFor(() => restarted.test(run.stderr()), T - 10_000, 100);
    fs.rmSync(flag, { force: true });
    const code = await run.exited;
    assert.ok(seen, run.stderr());
    assert.equal(code, 0, run.stderr());
    assert.doesNotMatch(run.stderr(), /exited with code/);
    assert.deepEqual(comparable(run.stdout()), expected);
  },
);
