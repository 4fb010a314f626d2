// The CLI's exit codes and one-line messages for usage, input, model and cancellation failures.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { ffmpeg, hangingFfmpeg, JFK, runCli, runCliAsync, tmpDir, waitFor } from './helpers';
import { writeWav } from '../../src/audio/wav';

const dir = tmpDir('cli-errors');
const fakeMp3 = path.join(dir, 'notes.mp3');
fs.writeFileSync(fakeMp3, 'this is a text file, not an mp3\n'.repeat(20));
const videoOnly = path.join(dir, 'video-only.mp4');
ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=10', '-t', '1', '-pix_fmt', 'yuv420p', videoOnly);
const zeroWav = path.join(dir, 'zero.wav');
fs.writeFileSync(zeroWav, writeWav(new Float32Array(0), 16000));
const emptyFile = path.join(dir, 'empty.wav');
fs.writeFileSync(emptyFile, '');
const emptyModel = path.join(dir, 'empty-model');
fs.mkdirSync(emptyModel);

function expectFailure(args: string[], code: number, pattern: RegExp, env: NodeJS.ProcessEnv = {}) {
  const r = runCli(args, env);
  assert.equal(r.code, code, `exit code for ${args.join(' ')}: stderr=${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got: ${r.stderr}`);
  assert.match(lines[0], /^transcrevai: error: /);
  assert.match(lines[0], pattern);
  assert.equal(r.stdout, '');
}

test('no arguments → 2', () => expectFailure([], 2, /no command given/));
test('unknown flag → 2', () => expectFailure(['transcribe', JFK, '--bogus'], 2, /Unknown option '--bogus'/));
test('bad --format value → 2', () => expectFailure(['transcribe', JFK, '--format', 'docx'], 2, /--format must be one of/));
test('--min-speakers above --max-speakers → 2', () =>
  expectFailure(['transcribe', JFK, '--min-speakers', '3', '--max-speakers', '2'], 2, /--min-speakers \(3\) is greater than --max-speakers \(2\)/));

test('missing file → 3', () => expectFailure(['transcribe', path.join(dir, 'nope.wav')], 3, /Input file not found: .*nope\.wav/));
test('a folder is a batch: each unreadable recording in it fails alone, with its reason, → 3', () => {
  const r = runCli(['transcribe', dir, '--model', emptyModel]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(
    r.stderr,
    /batch: 0 done, 0 skipped \(transcript exists\), 4 failed: empty\.wav \(Input file is empty.*\); notes\.mp3 \(Not a readable media file/,
  );
  assert.deepEqual(
    fs.readdirSync(dir).filter((f) => /\.md$|transcrevai-batch/.test(f)),
    [],
    'no transcript, no manifest beside the inputs',
  );
});
test('a folder without recordings → 2', () => expectFailure(['transcribe', emptyModel], 2, /no media files/));
test('an empty (0-byte) file → 3', () => expectFailure(['transcribe', emptyFile], 3, /Input file is empty/));
test('a text file renamed .mp3 → 3', () => expectFailure(['transcribe', fakeMp3], 3, /Not a readable media file: .*notes\.mp3 \(ffmpeg: .+\)/));
test('a video-only file → 3', () => expectFailure(['transcribe', videoOnly], 3, /No audio stream in .*video-only\.mp4: it has only Video: h264/));
test('a zero-length wav → 3', () => expectFailure(['transcribe', zeroWav], 3, /No audio in .*zero\.wav: the audio stream is empty/));

test('--model /nonexistent → 4', () => expectFailure(['transcribe', JFK, '--model', '/nonexistent'], 4, /Model directory not found: \/nonexistent/));
test('an empty model directory → 4', () =>
  expectFailure(['transcribe', JFK, '--model', emptyModel], 4, /Whisper model folder .*empty-model is incomplete: missing config\.json/));
test('a model name that is not installed → 4, naming where it looked', () =>
  expectFailure(['transcribe', JFK, '--model', 'medium'], 4, /Model "medium" is not installed \(looked in .*empty-root\/medium\)/, {
    TRANSCREVAI_MODELS: path.join(dir, 'empty-root'),
  }));

test('an explicit ffmpeg path that does not exist → 1 with the fix', () =>
  expectFailure(['transcribe', JFK, '--ffmpeg', path.join(dir, 'no-ffmpeg')], 1, /ffmpeg not found at .*no-ffmpeg/));

test('--help and --version exit 0 on stdout', () => {
  const h = runCli(['--help']);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /transcrevai transcribe <input>/);
  assert.match(h.stdout, /Exit codes: 0 ok/);
  const v = runCli(['--version']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^\d+\.\d+\.\d+\n$/);
});

test('status reports ffmpeg, core budget and models', () => {
  const s = runCli(['status']);
  assert.equal(s.code, 0, s.stderr);
  assert.match(s.stdout, /ffmpeg: \S+ \((path|ffmpeg-static|setting)\)/);
  assert.match(s.stdout, /core budget \d+ thread/);
  assert.match(s.stdout, /whisper models: /);
});

test('SIGINT mid-run cancels the job → 5, one line, ffmpeg gone', async () => {
  const child = runCliAsync(['transcribe', JFK, '--ffmpeg', hangingFfmpeg(dir), '--progress']);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Wait until the job is under way (the CLI is busy in ffmpeg), then interrupt.
  await new Promise((r) => setTimeout(r, 1200));
  assert.equal(child.exitCode, null, `still running before SIGINT; stderr=${stderr}`);
  const t0 = Date.now();
  child.kill('SIGINT');
  const code = await exited;
  assert.equal(code, 5, stderr);
  assert.ok(Date.now() - t0 < 2500, `exited ${Date.now() - t0} ms after SIGINT`);
  assert.match(stderr.trim().split('\n').pop()!, /^transcrevai: error: cancelled$/);
  // no ffmpeg stand-in left running
  const { execFileSync } = await import('child_process');
  const ps = execFileSync('ps', ['-eo', 'args']).toString();
  assert.ok(!ps.includes(`tag=${path.basename(dir)}`), 'the ffmpeg child was killed');
  assert.ok(await waitFor(() => true, 1));
});
