// Voice profiles: matching a recording's speakers to remembered voices (each profile names one speaker at most, only
// above the threshold, only in the same embedding space), the voices file, the panel's message, and the threshold
// against the shared speakers/ clips with the shipped speaker model.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'node:test';
import { decodeAudio } from '../../src/audio/decode';
import { loadSpeakerModel } from '../../src/diarization/embed';
import { embedRange } from '../../src/diarization/embedRange';
import { cosineSimilarity } from '../../src/diarization/vectors';
import { matchVoices, nameKnownVoices, VOICE_MATCH_THRESHOLD, voicesOf } from '../../src/diarization/voiceProfiles';
import { applyTranscript, emptyPanelState } from '../../src/extension/panelState';
import { readVoiceProfiles, writeVoiceProfiles } from '../../src/files/voiceStore';
import { auxiliaryModelDir } from '../../src/models/paths';
import { parsePanelMessage } from '../../src/protocol/panel';
import type { Transcript, VoiceProfile } from '../../src/transcript';
import { TESTDATA } from '../fixtures/shared';
import { tmpDir } from '../fixtures/tmp';

const unit = (...xs: number[]) => {
  const n = Math.hypot(...xs);
  return xs.map((x) => x / n);
};
const profile = (name: string, embedding: number[], space = 'S'): VoiceProfile => ({ name, space, embedding, created: '2026-12-03' });

test("a speaker's voice is the normalised mean of its windows", () => {
  const v = voicesOf([Float32Array.from([1, 0]), Float32Array.from([0, 1]), Float32Array.from([0, 1])], ['SPEAKER_1', 'SPEAKER_1', 'SPEAKER_2'], 'S');
  assert.equal(v.space, 'S');
  assert.deepEqual(
    v.bySpeaker.SPEAKER_1,
    unit(1, 1).map((x) => Math.round(x * 1e6) / 1e6),
  );
  assert.deepEqual(v.bySpeaker.SPEAKER_2, [0, 1]);
});

test('matching: the most similar pairs first, each profile and speaker once, threshold and space respected', () => {
  const voices = { space: 'S', bySpeaker: { SPEAKER_1: unit(1, 0.1), SPEAKER_2: unit(0.9, 0.5), SPEAKER_3: unit(0, 1) } };
  const ana = profile('Ana', unit(1, 0.12)); // very close to SPEAKER_1, close to SPEAKER_2 too
  const bruno = profile('Bruno', unit(1, 0.5)); // closest to SPEAKER_2
  const other = profile('Other space', unit(0, 1), 'T'); // same vector as SPEAKER_3, another model
  const m = matchVoices(voices, [ana, bruno, other]);
  assert.deepEqual(
    m.map((x) => [x.speaker, x.name]),
    [
      ['SPEAKER_1', 'Ana'],
      ['SPEAKER_2', 'Bruno'],
    ],
  );
  assert.ok(m.every((x) => x.similarity >= VOICE_MATCH_THRESHOLD));
  // Alone, Ana takes the closest speaker only.
  assert.deepEqual(
    matchVoices(voices, [ana]).map((x) => x.speaker),
    ['SPEAKER_1'],
  );
  // Below the threshold, nobody.
  assert.deepEqual(matchVoices(voices, [profile('Far', unit(-1, 0.2))]), []);
});

test('naming a transcript: matched speakers take the name, others keep theirs; nothing without voices', () => {
  const t = {
    speakers: [
      { id: 'SPEAKER_1', name: 'Speaker 1', speakingTime: 3 },
      { id: 'SPEAKER_2', name: 'Speaker 2', speakingTime: 4 },
    ],
    voices: { space: 'S', bySpeaker: { SPEAKER_1: [0, 1], SPEAKER_2: [1, 0] } },
  } as unknown as Transcript;
  assert.equal(nameKnownVoices(t, [profile('Ana', [0.1, 1])]).length, 1);
  assert.deepEqual(
    t.speakers!.map((s) => s.name),
    ['Ana', 'Speaker 2'],
  );
  assert.equal(t.voiceMatches?.[0].speaker, 'SPEAKER_1');
  assert.deepEqual(nameKnownVoices({ speakers: [] } as unknown as Transcript, [profile('Ana', [0, 1])]), []);
});

test('voices file: written whole (0600), read back; absent is none; not a voices file is an error naming it', () => {
  const dir = tmpDir('voices-file');
  const file = path.join(dir, 'store', 'voices.json');
  assert.deepEqual(readVoiceProfiles(file), []);
  writeVoiceProfiles(file, [profile('Ana', [0, 1])]);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(readVoiceProfiles(file), [profile('Ana', [0, 1])]);
  assert.deepEqual(fs.readdirSync(path.dirname(file)), ['voices.json'], 'no temporary file left');
  fs.writeFileSync(file, '{"version":1,"profiles":[{"name":"x","space":"S","embedding":[null],"created":"d"}]}');
  assert.throws(() => readVoiceProfiles(file), /voices\.json is not a list of voice profiles/);
  fs.writeFileSync(file, 'not json');
  assert.throws(() => readVoiceProfiles(file), /voices\.json is not JSON/);
});

test('the panel offers "Remember voice…" for speakers with a voice, and its message is checked', () => {
  const t = {
    segments: [{ start: 0, end: 1, text: 'a', speaker: 'SPEAKER_1' }],
    speakers: [{ id: 'SPEAKER_1', name: 'Speaker 1', speakingTime: 1 }],
    voices: { space: 'S', bySpeaker: { SPEAKER_1: [1, 0] } },
  } as unknown as Transcript;
  assert.deepEqual(applyTranscript(emptyPanelState('x'), t).voices, ['SPEAKER_1']);
  assert.deepEqual(applyTranscript(emptyPanelState('x'), { ...t, voices: undefined }).voices, []);
  assert.deepEqual(parsePanelMessage({ type: 'rememberVoice', speaker: 'SPEAKER_1' }), { type: 'rememberVoice', speaker: 'SPEAKER_1' });
  assert.equal(parsePanelMessage({ type: 'rememberVoice', speaker: '' }), undefined);
  assert.equal(parsePanelMessage({ type: 'rememberVoice', speaker: 7 }), undefined);
});

const speakerModel = path.join(auxiliaryModelDir('speaker'), 'model.onnx');
test(
  'the threshold on the shared speakers/ clips: same speaker and language above it, different speakers below, also 10 ms later',
  { skip: !fs.existsSync(speakerModel) && `the speaker model is absent (${speakerModel})` },
  async () => {
    const model = await loadSpeakerModel(auxiliaryModelDir('speaker'), { threads: 2 });
    const dir = path.join(TESTDATA, 'speakers');
    const who = (f: string) => f.replace(/-(test-)?sr-\d\.wav$/, '');
    const voice = async (file: string, shiftMs: number) => {
      const s = (await decodeAudio(file)).samples;
      const shifted = new Float32Array(s.length + shiftMs * 16);
      shifted.set(s, shiftMs * 16);
      return (await embedRange(model, shifted))!;
    };
    const enroll = fs.readdirSync(path.join(dir, 'enroll')).filter((f) => f.endsWith('.wav'));
    const later = fs.readdirSync(path.join(dir, 'test')).filter((f) => f.endsWith('.wav'));
    const profiles = await Promise.all(enroll.map(async (f) => ({ who: who(f), v: await voice(path.join(dir, 'enroll', f), 0) })));
    for (const shiftMs of [0, 10]) {
      for (const f of later) {
        const v = await voice(path.join(dir, 'test', f), shiftMs);
        for (const p of profiles) {
          const s = cosineSimilarity(p.v, v);
          if (p.who === who(f)) assert.ok(s >= VOICE_MATCH_THRESHOLD, `${p.who} vs ${f} +${shiftMs} ms: ${s.toFixed(3)}`);
          else assert.ok(s < VOICE_MATCH_THRESHOLD, `${p.who} vs ${f} +${shiftMs} ms: ${s.toFixed(3)}`);
        }
      }
    }
    await model.dispose();
  },
);
