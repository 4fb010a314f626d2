// End to end with the real base model: `transcrevai transcribe jfk.* --language en` gives the reference
// text (case/punctuation-insensitive), JSON per the CLI contract, parseable SRT/VTT/Markdown, --out, and
// SIGINT during transcription → exit 5. Skipped (with the reason) when the base model is absent.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { JFK, JFK_TEXT, MODELS_ROOT, modelDir, runCli, runCliAsync, tmpDir } from './helpers';
import { wordErrorRate } from '../fixtures/whisper/helpers';

const base = modelDir('base');
const skip = base ? false : `the base model is absent (${path.join(MODELS_ROOT, 'base')}): run "npm run models"`;
const referenceText = fs.readFileSync(JFK_TEXT, 'utf8');
/** INT8 (the default): at most one word off the reference, a bound a vendor's rounding cannot break (cpu-independence.test.ts). */
function assertJfk(text: string): void {
  assert.ok(wordErrorRate(referenceText, text).errors <= 1, text);
}
const dir = tmpDir('cli-transcribe');

for (const ext of ['wav', 'flac', 'mp3']) {
  test(`jfk.${ext} --language en --format json → reference text, contract JSON`, { skip }, () => {
    const input = JFK.replace(/\.wav$/, `.${ext}`);
    const r = runCli(['transcribe', input, '--language', 'en', '--format', 'json', '--threads', '2']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(j), ['input', 'model', 'precision', 'language', 'duration', 'segments', 'timing', 'rtf']);
    assert.equal(j.input, input);
    assert.equal(j.model, 'base');
    assert.equal(j.precision, 'int8');
    assert.equal(j.language, 'en');
    assert.ok(Math.abs(j.duration - 11) < 0.1, `duration ${j.duration}`);
    assertJfk(j.segments.map((s: { text: string }) => s.text).join(' '));
    for (const s of j.segments) {
      assert.deepEqual(Object.keys(s), ['start', 'end', 'text']);
      assert.ok(s.start >= 0 && s.end > s.start && s.end <= j.duration + 0.5);
    }
    assert.deepEqual(Object.keys(j.timing), ['load', 'decode', 'transcribe', 'total']);
    assert.ok(j.timing.total > 0 && Math.abs(j.rtf - j.timing.total / j.duration) < 0.001);
  });
}

const hasQ4 = base && fs.existsSync(path.join(base, 'onnx', 'encoder_model_q4.onnx'));
test(
  '--precision q4: the 4-bit graphs load and transcribe jfk (at most two words off, the toolchain bound)',
  { skip: skip || (!hasQ4 && 'no q4 graphs in the base folder') },
  () => {
    const r = runCli(['transcribe', JFK, '--language', 'en', '--format', 'json', '--threads', '2', '--precision', 'q4']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.precision, 'q4', 'q4 loaded, no fallback to FP32');
    const text = j.segments.map((s: { text: string }) => s.text).join(' ');
    assert.ok(wordErrorRate(referenceText, text).errors <= 2, text);
  },
);

function parseCues(text: string, sep: ',' | '.'): { start: string; end: string; text: string }[] {
  const re = new RegExp(`^(\\d{2,}:\\d{2}:\\d{2}\\${sep}\\d{3}) --> (\\d{2,}:\\d{2}:\\d{2}\\${sep}\\d{3})$`);
  const cues = [];
  for (const block of text.trim().split(/\n\n+/)) {
    const lines = block.split('\n');
    const i = lines.findIndex((l) => re.test(l));
    if (i < 0) continue;
    const m = re.exec(lines[i])!;
    cues.push({ start: m[1], end: m[2], text: lines.slice(i + 1).join(' ') });
  }
  return cues;
}

test('--format srt, vtt, md parse and carry the text; --out writes a file (overwriting)', { skip }, () => {
  const srt = runCli(['transcribe', JFK, '--language', 'en', '--format', 'srt']);
  assert.equal(srt.code, 0, srt.stderr);
  const srtCues = parseCues(srt.stdout, ',');
  assert.ok(srtCues.length >= 1);
  assert.match(srt.stdout, /^1\n00:00:0\d,\d{3} --> /);
  assertJfk(srtCues.map((c) => c.text).join(' '));

  const out = path.join(dir, 'jfk.vtt');
  fs.writeFileSync(out, 'old content');
  const vtt = runCli(['transcribe', JFK, '--language', 'en', '--format', 'vtt', '--out', out]);
  assert.equal(vtt.code, 0, vtt.stderr);
  assert.equal(vtt.stdout, '');
  const vttText = fs.readFileSync(out, 'utf8');
  assert.match(vttText, /^WEBVTT\n\n/);
  assertJfk(
    parseCues(vttText, '.')
      .map((c) => c.text)
      .join(' '),
  );

  const md = runCli(['transcribe', JFK, '--language', 'en']);
  assert.equal(md.code, 0, md.stderr);
  assert.match(md.stdout, /^# Transcript: jfk\.wav\n/);
  assert.match(md.stdout, /- \*\*Language:\*\* en/);
  const body = md.stdout.split('\n').filter((l) => /^\[\d{2}:\d{2}:\d{2}\] /.test(l));
  assert.ok(body.length >= 1, md.stdout);
  assertJfk(body.map((l) => l.replace(/^\[[\d:]+\] /, '').replace(/\\/g, '')).join(' '));
});

test('SIGINT during transcription → exit 5 quickly', { skip }, async () => {
  // 60 s of jfk repeated keeps the decoder busy for several seconds on 2 cores.
  const long = path.join(dir, 'jfk-x6.wav');
  const { execFileSync } = await import('child_process');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', '5', '-i', JFK, '-c', 'copy', long]);
  const child = runCliAsync(['transcribe', long, '--language', 'en', '--progress']);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!/transcribing/.test(stderr) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  assert.match(stderr, /transcribing/, 'reached the transcription stage');
  const t0 = Date.now();
  child.kill('SIGINT');
  assert.equal(await exited, 5, stderr);
  assert.ok(Date.now() - t0 < 3500, `exited ${Date.now() - t0} ms after SIGINT`);
  assert.match(stderr.trim().split('\n').pop()!, /^transcrevai: error: cancelled$/);
});
