// Voice profiles end to end through the CLI: a voice remembered from one recording names its speaker in another
// recording of the same person (with a different partner, as it is and 10 ms later); someone else's voice names
// nobody; a broken voices file is a usage error. Real speech (3d-speaker's speaker1, jfk) and the shipped speaker
// models: the voice is remembered with the embedder the CLI's diarization uses (CAM++ when the overlap-aware method's
// models are there, else GE2E), as "Remember this voice as…" keeps the transcript's own.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { decodeAudio } from '../../src/audio/decode';
import { writeWav } from '../../src/audio/wav';
import { loadSpeakerModel } from '../../src/diarization/embed';
import { embedRange, embedRangeFbank } from '../../src/diarization/embedRange';
import { loadFbankEmbedder } from '../../src/diarization/overlap/fbankEmbedder';
import { writeVoiceProfiles } from '../../src/files/voiceStore';
import { auxiliaryModelDir, overlapModelDirs } from '../../src/models/paths';
import type { VoiceProfile } from '../../src/transcript';
import { SAMPLE_RATE } from '../../src/vocabulary';
import { TESTDATA } from '../fixtures/shared';
import { JFK, MODELS_ROOT, modelDir, runCli, tmpDir } from './helpers';

const speakerModel = path.join(auxiliaryModelDir('speaker'), 'model.onnx');
const skip =
  (!modelDir('tiny.en') && `the tiny.en model is absent (${path.join(MODELS_ROOT, 'tiny.en')}): run "npm run models"`) ||
  (!fs.existsSync(speakerModel) && `the speaker model is absent (${speakerModel})`);
const dir = tmpDir('voices');
const SPEAKERS = path.join(TESTDATA, 'speakers');

/** The overlap-aware method runs (its voices are CAM++'s) when both its models are there; else the GE2E method. */
const overlapDirs = overlapModelDirs();
const campplus = fs.existsSync(path.join(overlapDirs.segmentation, 'model.onnx')) && fs.existsSync(path.join(overlapDirs.embedder, 'model.onnx'));

/** A voices file with one profile: the voice of `clip`, as "Remember this voice as…" keeps a speaker's. */
async function rememberVoice(clip: string, name: string): Promise<string> {
  const samples = (await decodeAudio(clip)).samples;
  const created = new Date().toISOString();
  let profile: VoiceProfile;
  if (campplus) {
    const model = await loadFbankEmbedder(overlapDirs.embedder, { threads: 2 });
    const voice = await embedRangeFbank(model, samples);
    profile = { name, space: model.space, embedder: 'campplus', embedding: Array.from(voice!), created };
    await model.dispose();
  } else {
    const model = await loadSpeakerModel(auxiliaryModelDir('speaker'), { threads: 2 });
    const voice = await embedRange(model, samples);
    profile = { name, space: model.space, embedding: Array.from(voice!), created };
    await model.dispose();
  }
  const file = path.join(dir, `${name.replace(/\W/g, '')}.json`);
  writeVoiceProfiles(file, [profile]);
  return file;
}

/** speaker1's other recording, then jfk after a pause: two people, the first 6 s, the second 11 s. */
async function laterMeeting(shiftMs: number): Promise<string> {
  const first = (await decodeAudio(path.join(SPEAKERS, 'test', '3d-speaker', 'speaker1_b_en_16k.wav'))).samples;
  const second = (await decodeAudio(JFK)).samples;
  const lead = (shiftMs * SAMPLE_RATE) / 1000;
  const pause = SAMPLE_RATE;
  const all = new Float32Array(lead + first.length + pause + second.length);
  all.set(first, lead);
  all.set(second, lead + first.length + pause);
  const file = path.join(dir, `later-${shiftMs}.wav`);
  fs.writeFileSync(file, writeWav(all, SAMPLE_RATE, 'float32'));
  return file;
}

/** The later meeting, transcribed with two speakers and a voices file, as JSON. */
async function transcribeWithVoices(voices: string, shiftMs: number) {
  const args = ['--model', 'tiny.en', '--language', 'en', '--speakers', '2', '--voices', voices, '--format', 'json', '--threads', '2'];
  return runCli(['transcribe', await laterMeeting(shiftMs), ...args]);
}

test('a voice remembered from one recording names its speaker in another recording, as it is and 10 ms later', { skip }, async () => {
  const voices = await rememberVoice(path.join(SPEAKERS, 'test', '3d-speaker', 'speaker1_a_en_16k.wav'), 'Ana Lima');
  for (const shiftMs of [0, 10]) {
    const r = await transcribeWithVoices(voices, shiftMs);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { speakers: { id: string; name: string }[]; segments: { start: number; speaker?: string }[] };
    const named = j.speakers.filter((s) => s.name === 'Ana Lima');
    assert.equal(named.length, 1, JSON.stringify(j.speakers));
    // The named one is the speaker of the first 6 s (speaker1), not jfk.
    const first = j.segments.find((s) => s.start < 3);
    assert.equal(first?.speaker, named[0].id, JSON.stringify(j.segments));
    assert.ok(
      j.speakers.some((s) => /^Speaker \d$/.test(s.name)),
      'jfk keeps a number',
    );
  }
});

test('a meeting (live, from a file) names the remembered voice in its final speakers', { skip }, async () => {
  const voices = await rememberVoice(path.join(SPEAKERS, 'test', '3d-speaker', 'speaker1_a_en_16k.wav'), 'Ana Lima');
  const args = ['--model', 'tiny.en', '--language', 'en', '--speakers', '2', '--voices', voices, '--format', 'json', '--threads', '2'];
  const r = runCli(['meeting', '--input', await laterMeeting(0), ...args]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { speakers: { id: string; name: string }[]; segments: { start: number; speaker?: string }[] };
  const named = j.speakers.filter((s) => s.name === 'Ana Lima');
  assert.equal(named.length, 1, JSON.stringify(j.speakers));
  assert.equal(j.segments.find((s) => s.start < 3)?.speaker, named[0].id, JSON.stringify(j.segments));
});

test("someone else's voice names nobody", { skip }, async () => {
  const voices = await rememberVoice(path.join(SPEAKERS, 'enroll', 'leijun-sr-1.wav'), 'Lei Jun');
  const r = await transcribeWithVoices(voices, 0);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { speakers: { name: string }[] };
  assert.deepEqual(
    j.speakers.map((s) => s.name),
    ['Speaker 1', 'Speaker 2'],
  );
});

test('--voices: a file that is not a voices file is a usage error (exit 2) naming it', { skip }, () => {
  const bad = path.join(dir, 'bad.json');
  fs.writeFileSync(bad, JSON.stringify({ version: 1, profiles: [{ name: 'x' }] }));
  const r = runCli(['transcribe', JFK, '--model', 'tiny.en', '--voices', bad]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /bad\.json is not a list of voice profiles/);
});
