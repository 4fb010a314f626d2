// Speaker labels end to end with the real base and speaker models: the 2-speaker pyannote sample through
// `transcrevai transcribe --diarize` in every format. The RTTM output is scored against the reference
// (DER, collar 0.25 s); JSON, Markdown and SRT must carry the same speakers.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { diarizationErrorRate, parseRttm } from '../../src/diarization';
import { TESTDATA } from '../fixtures/shared';
import { MODELS_ROOT, modelDir, runCli, tmpDir } from './helpers';

const SAMPLE = path.join(TESTDATA, 'diarization', 'pyannote_sample.wav');
const REFERENCE = parseRttm(fs.readFileSync(SAMPLE.replace(/\.wav$/, '.rttm'), 'utf8'));
const haveModels = modelDir('base') && fs.existsSync(path.join(MODELS_ROOT, 'speaker', 'model.onnx'));
const skip = haveModels ? false : `base or speaker model absent under ${MODELS_ROOT}: run "npm run models"`;
/** The overlap-aware method's turns (issue 25's bound); bench/diarization-der.ts measures the figure. */
const MAX_DER = 0.08;
const args = (...more: string[]) => ['transcribe', SAMPLE, '--language', 'en', '--threads', '2', ...more];

test('--format rttm: two speakers, DER ≤ 8 % against the reference', { skip }, () => {
  const r = runCli(args('--format', 'rttm'));
  assert.equal(r.code, 0, r.stderr);
  const hyp = parseRttm(r.stdout);
  assert.ok(hyp.length >= 2, r.stdout);
  assert.ok(
    r.stdout
      .split('\n')
      .filter(Boolean)
      .every((l) => /^SPEAKER pyannote_sample 1 \d+\.\d{3} \d+\.\d{3} <NA> <NA> SPEAKER_\d <NA> <NA>$/.test(l)),
    r.stdout,
  );
  assert.deepEqual([...new Set(hyp.map((t) => t.speaker))].sort(), ['SPEAKER_1', 'SPEAKER_2']);
  const der = diarizationErrorRate(REFERENCE, hyp, { collar: 0.25 });
  console.log(
    `pyannote_sample via the CLI: DER ${(100 * der.der).toFixed(1)} % (missed ${der.missed.toFixed(2)} s, FA ${der.falseAlarm.toFixed(2)} s, confusion ${der.confusion.toFixed(2)} s)`,
  );
  assert.ok(der.der <= MAX_DER, `DER ${der.der}`);
});

test('--diarize --format json: speaker on every segment, speakers with speaking time, method reported', { skip }, () => {
  const r = runCli(args('--diarize', '--format', 'json'));
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(j), ['input', 'model', 'precision', 'language', 'duration', 'segments', 'speakers', 'diarization', 'timing', 'rtf']);
  assert.deepEqual(
    j.speakers.map((s: { id: string }) => s.id),
    ['SPEAKER_1', 'SPEAKER_2'],
  );
  for (const s of j.speakers) assert.ok(s.speakingTime > 3 && s.speakingTime < j.duration, JSON.stringify(s));
  assert.ok(j.segments.length >= 2);
  for (const s of j.segments) assert.match(s.speaker, /^SPEAKER_[12]$/);
  assert.ok(new Set(j.segments.map((s: { speaker: string }) => s.speaker)).size === 2);
  assert.equal(j.diarization.method, 'overlap-aware', j.diarization.reason);
  assert.ok(j.diarization.reason.length > 0);
  assert.deepEqual(Object.keys(j.timing), ['load', 'decode', 'transcribe', 'diarize', 'total']);
  assert.ok(j.timing.diarize > 0 && j.timing.diarize < j.timing.total);
});

test('--speakers 3 is obeyed; Markdown groups turns by speaker; SRT prefixes names', { skip }, () => {
  const j = JSON.parse(runCli(args('--speakers', '3', '--format', 'json')).stdout);
  assert.equal(j.speakers.length, 3);
  const md = runCli(args('--diarize'));
  assert.equal(md.code, 0, md.stderr);
  assert.match(md.stdout, /- \*\*Speakers:\*\* Speaker 1, Speaker 2/);
  const turns = md.stdout.split('\n').filter((l) => /^\*\*Speaker [12]\*\* \[\d{2}:\d{2}:\d{2}\]$/.test(l));
  assert.ok(turns.length >= 2, md.stdout);
  // consecutive turns belong to different speakers (grouping)
  for (let i = 1; i < turns.length; i++) assert.notEqual(turns[i].split(' [')[0], turns[i - 1].split(' [')[0]);
  const srt = runCli(args('--diarize', '--format', 'srt'));
  assert.match(srt.stdout, /\n(Speaker [12]): \S/);
});

test('overlap-aware models missing → the GE2E method, reported on stderr, job still succeeds', { skip }, () => {
  // A models root with the Whisper, VAD and GE2E models only.
  const root = tmpDir('no-segmentation');
  for (const name of ['base', 'vad', 'speaker']) fs.symlinkSync(path.join(MODELS_ROOT, name), path.join(root, name));
  const r = runCli(args('--diarize', '--format', 'json'), { TRANSCREVAI_MODELS: root });
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.match(j.diarization.method, /^(agglomerative|spectral|hybrid)$/);
  assert.match(j.diarization.reason, /overlap-aware models unavailable/);
  assert.equal(j.speakers.length, 2);
  assert.match(r.stderr, /warning: Speakers were found with the simpler GE2E method .*segmentation/);
});

test('speaker model missing → MFCC fallback, reported on stderr, job still succeeds', { skip }, () => {
  // A models root with the Whisper and VAD models but no speaker model.
  const root = tmpDir('no-speaker');
  for (const name of ['base', 'vad']) fs.symlinkSync(path.join(MODELS_ROOT, name), path.join(root, name));
  const r = runCli(args('--diarize', '--format', 'json'), { TRANSCREVAI_MODELS: root });
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.diarization.method, 'fallback-mfcc');
  assert.ok(j.speakers.length >= 1);
  assert.match(r.stderr, /MFCC fallback/);
});
