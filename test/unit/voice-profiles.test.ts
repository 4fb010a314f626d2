// Voice profiles: matching a recording's speakers to remembered voices (each profile names one speaker at most, only
// above the threshold of the voices' embedder, only in the same embedding space), the voices file, the panel's
// message, and each embedder's threshold against the shared speakers/ clips with the shipped speaker models.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'node:test';
import { decodeAudio } from '../../src/audio/decode';
import { loadSpeakerModel } from '../../src/diarization/embed';
import { embedRange, embedRangeFbank } from '../../src/diarization/embedRange';
import { loadFbankEmbedder } from '../../src/diarization/overlap/fbankEmbedder';
import { cosineSimilarity } from '../../src/diarization/vectors';
import {
  matchVoices,
  nameKnownVoices,
  VOICE_MATCH_THRESHOLD,
  VOICE_MATCH_THRESHOLD_CAMPPLUS,
  voiceMatchThreshold,
  voicesOf,
} from '../../src/diarization/voiceProfiles';
import { applyTranscript, emptyPanelState } from '../../src/extension/panelState';
import { readVoiceProfiles, writeVoiceProfiles } from '../../src/files/voiceStore';
import { auxiliaryModelDir } from '../../src/models/paths';
import { parsePanelMessage } from '../../src/protocol/panel';
import type { SpeakerVoices, Transcript, VoiceProfile } from '../../src/transcript';
import type { SpeakerEmbedderKind } from '../../src/vocabulary';
import { TESTDATA } from '../fixtures/shared';
import { tmpDir } from '../fixtures/tmp';

const unit = (...xs: number[]) => {
  const n = Math.hypot(...xs);
  return xs.map((x) => x / n);
};
const profile = (name: string, embedding: number[], space = 'S'): VoiceProfile => ({ name, space, embedding, created: '2026-12-03' });

test("a speaker's voice is the normalised mean of its windows", () => {
  const v = voicesOf(
    [Float32Array.from([1, 0]), Float32Array.from([0, 1]), Float32Array.from([0, 1])],
    ['SPEAKER_1', 'SPEAKER_1', 'SPEAKER_2'],
    'S',
    'campplus',
  );
  assert.equal(v.space, 'S');
  assert.equal(v.embedder, 'campplus');
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

test("matching uses the voices' embedder's threshold; voices without one (written before CAM++) are GE2E's", () => {
  assert.ok(VOICE_MATCH_THRESHOLD_CAMPPLUS < VOICE_MATCH_THRESHOLD, 'the thresholds differ, or this test shows nothing');
  assert.equal(voiceMatchThreshold(undefined), VOICE_MATCH_THRESHOLD);
  assert.equal(voiceMatchThreshold('ge2e'), VOICE_MATCH_THRESHOLD);
  assert.equal(voiceMatchThreshold('campplus'), VOICE_MATCH_THRESHOLD_CAMPPLUS);
  // A profile at a similarity between the two thresholds: CAM++'s voices take it, GE2E's (said or not) do not.
  const between = (VOICE_MATCH_THRESHOLD + VOICE_MATCH_THRESHOLD_CAMPPLUS) / 2;
  const ana = profile('Ana', [between, Math.sqrt(1 - between * between)]);
  const voices = (embedder?: SpeakerEmbedderKind): SpeakerVoices => ({ space: 'S', ...(embedder && { embedder }), bySpeaker: { SPEAKER_1: [1, 0] } });
  assert.deepEqual(
    matchVoices(voices('campplus'), [ana]).map((m) => m.name),
    ['Ana'],
  );
  assert.deepEqual(matchVoices(voices('ge2e'), [ana]), []);
  assert.deepEqual(matchVoices(voices(), [ana]), []);
  // An explicit threshold still wins.
  assert.equal(matchVoices(voices(), [ana], VOICE_MATCH_THRESHOLD_CAMPPLUS).length, 1);
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
  const campplus: VoiceProfile = { ...profile('Bia', [1, 0]), embedder: 'campplus' };
  writeVoiceProfiles(file, [profile('Ana', [0, 1]), campplus]);
  assert.deepEqual(readVoiceProfiles(file), [profile('Ana', [0, 1]), campplus], 'the embedder is kept; a profile without one still reads');
  fs.writeFileSync(file, '{"version":1,"profiles":[{"name":"x","space":"S","embedding":[1],"created":"d","embedder":"xvector"}]}');
  assert.throws(() => readVoiceProfiles(file), /voices\.json is not a list of voice profiles/);
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

/**
 * Every enrolment clip (sherpa-onnx's, one language) a profile, every test clip a later recording, as it is and 10 ms
 * later: the same speaker reaches the embedder's threshold, different speakers stay below it (bench/voices.ts).
 */
async function checkThreshold(kind: SpeakerEmbedderKind, embed: (samples: Float32Array) => Promise<Float32Array | null>): Promise<void> {
  const threshold = voiceMatchThreshold(kind);
  const dir = path.join(TESTDATA, 'speakers');
  const who = (f: string) => f.replace(/-(test-)?sr-\d\.wav$/, '');
  const voice = async (file: string, shiftMs: number) => {
    const s = (await decodeAudio(file)).samples;
    const shifted = new Float32Array(s.length + shiftMs * 16);
    shifted.set(s, shiftMs * 16);
    return (await embed(shifted))!;
  };
  const enroll = fs.readdirSync(path.join(dir, 'enroll')).filter((f) => f.endsWith('.wav'));
  const later = fs.readdirSync(path.join(dir, 'test')).filter((f) => f.endsWith('.wav'));
  const profiles = await Promise.all(enroll.map(async (f) => ({ who: who(f), v: await voice(path.join(dir, 'enroll', f), 0) })));
  for (const shiftMs of [0, 10]) {
    for (const f of later) {
      const v = await voice(path.join(dir, 'test', f), shiftMs);
      for (const p of profiles) {
        const s = cosineSimilarity(p.v, v);
        if (p.who === who(f)) assert.ok(s >= threshold, `${kind}: ${p.who} vs ${f} +${shiftMs} ms: ${s.toFixed(3)}`);
        else assert.ok(s < threshold, `${kind}: ${p.who} vs ${f} +${shiftMs} ms: ${s.toFixed(3)}`);
      }
    }
  }
}

const speakerModel = path.join(auxiliaryModelDir('speaker'), 'model.onnx');
test(
  "GE2E's threshold on the shared speakers/ clips: same speaker and language above it, different speakers below, also 10 ms later",
  { skip: !fs.existsSync(speakerModel) && `the speaker model is absent (${speakerModel})` },
  async () => {
    const model = await loadSpeakerModel(auxiliaryModelDir('speaker'), { threads: 2 });
    try {
      await checkThreshold('ge2e', (s) => embedRange(model, s));
    } finally {
      await model.dispose();
    }
  },
);

const campplusModel = path.join(auxiliaryModelDir('speaker-campplus'), 'model.onnx');
test(
  "CAM++'s threshold on the shared speakers/ clips: same speaker and language above it, different speakers below, also 10 ms later",
  { skip: !fs.existsSync(campplusModel) && `the CAM++ speaker model is absent (${campplusModel})` },
  async () => {
    const model = await loadFbankEmbedder(auxiliaryModelDir('speaker-campplus'), { threads: 2 });
    try {
      await checkThreshold('campplus', (s) => embedRangeFbank(model, s));
    } finally {
      await model.dispose();
    }
  },
);
