// `transcrevai transcribe` with many inputs (issue 17): files and a folder in one call give one transcript each and
// a summary; a broken file fails alone; a batch killed in the middle and started again finishes the rest without
// redoing what was done; --shard 1/2 and 2/2 together cover every input exactly once. With tiny.en, real speech.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { TESTDATA } from '../fixtures/shared';
import { alive, JFK, modelDir, runCli, runCliAsync, tmpDir } from './helpers';

const tiny = modelDir('tiny.en');
const skip = tiny ? false : 'tiny.en not built (npm run models)';
const CLIPS = ['spk1_snt1.wav', 'spk1_snt2.wav', 'spk1_snt3.wav'].map((f) => path.join(TESTDATA, 'en', 'speechbrain', f));
const ARGS = ['--model', tiny ?? 'tiny.en', '--language', 'en', '--threads', '1'];

/** A folder of recordings: one.wav, two.mp3 (a copy of jfk), sub/three.wav, sub/four.wav, and notes.txt. */
function recordings(): string {
  const dir = tmpDir('batch-in');
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.copyFileSync(CLIPS[0], path.join(dir, 'one.wav'));
  fs.copyFileSync(path.join(TESTDATA, 'en', 'jfk.mp3'), path.join(dir, 'two.mp3'));
  fs.copyFileSync(CLIPS[1], path.join(dir, 'sub', 'three.wav'));
  fs.copyFileSync(CLIPS[2], path.join(dir, 'sub', 'four.wav'));
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'not media');
  return dir;
}

const manifest = (file: string) =>
  JSON.parse(fs.readFileSync(file, 'utf8')) as { shard: string; files: { input: string; output: string; status: string; reason?: string }[] };

test('three files and a folder in one call: a transcript each, a broken file fails alone, a summary', { skip, timeout: 300_000 }, () => {
  const dir = recordings();
  const extra = tmpDir('batch-extra');
  const bad = path.join(extra, 'broken.wav');
  fs.writeFileSync(bad, 'RIFF not really a wav file at all');
  const out = tmpDir('batch-out');
  const r = runCli(['transcribe', JFK, bad, CLIPS[0], path.join(dir, 'sub'), '--out-dir', out, '--format', 'txt', ...ARGS], {}, 280_000);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /batch of 5 files/);
  assert.match(r.stderr, /batch: 4 done, 0 skipped \(transcript exists\), 1 failed: broken\.wav \(/);
  // Each file's transcript, named after it, below the folder it came from; the jfk text in jfk.txt.
  assert.match(fs.readFileSync(path.join(out, 'jfk.txt'), 'utf8'), /ask not what your country can do for you/i);
  for (const f of ['spk1_snt1.txt', 'three.txt', 'four.txt']) assert.ok(fs.readFileSync(path.join(out, f), 'utf8').trim().length > 10, f);
  const m = manifest(path.join(out, 'transcrevai-batch.json'));
  assert.deepEqual(m.files.map((f) => f.status).sort(), ['done', 'done', 'done', 'done', 'failed']);
  assert.match(m.files.find((f) => f.status === 'failed')!.reason!, /./);
  assert.equal(fs.existsSync(path.join(out, 'broken.txt')), false);
});

test('a batch killed in the middle and started again finishes the rest without redoing finished files', { skip, timeout: 300_000 }, async () => {
  const dir = recordings();
  const out = tmpDir('batch-out');
  const child = runCliAsync(['transcribe', dir, '--out-dir', out, ...ARGS]);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  // Killed (SIGKILL: no clean-up of its own) once the first transcript is written.
  const first = path.join(out, 'one.md');
  const end = Date.now() + 120_000;
  while (!fs.existsSync(first) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  assert.ok(fs.existsSync(first), `no first transcript: ${stderr}`);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const before = fs.readdirSync(out).filter((f) => f.endsWith('.md') || fs.statSync(path.join(out, f)).isDirectory());
  const firstTime = fs.statSync(first).mtimeMs;
  const killed = manifest(path.join(out, 'transcrevai-batch.json'));
  assert.ok(
    killed.files.some((f) => f.status === 'pending'),
    'the manifest says what was left',
  );

  const again = runCli(['transcribe', dir, '--out-dir', out, ...ARGS], {}, 280_000);
  assert.equal(again.code, 0, again.stderr);
  const skipped = Number(/(\d+) skipped/.exec(again.stderr)?.[1]);
  const done = Number(/(\d+) done/.exec(again.stderr)?.[1]);
  assert.ok(skipped >= 1 && skipped + done === 4, again.stderr);
  assert.equal(fs.statSync(first).mtimeMs, firstTime, 'the finished transcript was not redone');
  for (const f of ['one.md', 'two.md', 'sub/three.md', 'sub/four.md']) assert.ok(fs.existsSync(path.join(out, f)), `${f} (had: ${before.join(', ')})`);
  assert.deepEqual(
    manifest(path.join(out, 'transcrevai-batch.json'))
      .files.map((f) => f.status)
      .filter((s) => s !== 'done' && s !== 'skipped'),
    [],
  );
  // Nothing of the killed run is left running.
  assert.equal(child.pid !== undefined && alive(child.pid), false);
});

test('--shard 1/2 and --shard 2/2 together cover every input exactly once', { skip, timeout: 300_000 }, () => {
  const dir = recordings();
  const out = tmpDir('batch-out');
  const inputs = new Map<string, string>();
  for (const k of [1, 2]) {
    const r = runCli(['transcribe', dir, '--out-dir', out, '--shard', `${k}/2`, '--format', 'json', ...ARGS], {}, 280_000);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`shard ${k}/2 of 4 inputs`));
    const m = manifest(path.join(out, `transcrevai-batch.${k}-of-2.json`));
    assert.equal(m.shard, `${k}/2`);
    for (const f of m.files) {
      assert.equal(inputs.has(f.input), false, `${f.input} in two shards`);
      assert.equal(f.status, 'done');
      inputs.set(f.input, f.output);
    }
  }
  assert.deepEqual([...inputs.keys()].map((f) => path.relative(dir, f)).sort(), ['one.wav', 'sub/four.wav', 'sub/three.wav', 'two.mp3']);
  for (const output of inputs.values()) assert.ok(Array.isArray(JSON.parse(fs.readFileSync(output, 'utf8')).segments), output);
});
