// Live speaker labels with CAM++ on real speech: the shared speakers/ clips (5 speakers, Mandarin and English) as a
// meeting's phrases, as they are and 10 ms later. At ONLINE_SAME_SPEAKER_CAMPPLUS a phrase joins its own speaker (heard
// before in the same language) and never someone else (bench/voices.ts, docs/voices.md). A person heard before only
// in another language may start a new label: CAM++ puts those 0.26 to 0.37 apart, below different speakers.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'node:test';
import { decodeAudio } from '../../src/audio/decode';
import { embedRangeFbank } from '../../src/diarization/embedRange';
import { OnlineSpeakers } from '../../src/diarization/online';
import { loadFbankEmbedder } from '../../src/diarization/overlap/fbankEmbedder';
import { auxiliaryModelDir } from '../../src/models/paths';
import { SAMPLE_RATE } from '../../src/vocabulary';
import { TESTDATA } from '../fixtures/shared';

const campplusDir = auxiliaryModelDir('speaker-campplus');
const skip = !fs.existsSync(path.join(campplusDir, 'model.onnx')) && `the CAM++ speaker model is absent (${campplusDir})`;
const SPEAKERS = path.join(TESTDATA, 'speakers');

interface Phrase {
  name: string;
  speaker: string;
  language: string;
  /** The embedding as the clip is, and started 10 ms later. */
  v: Record<number, Float32Array>;
}

/** Every clip of the shared speakers/ folder, embedded as a live phrase is (embedRangeFbank). */
async function phrases(): Promise<Phrase[]> {
  const model = await loadFbankEmbedder(campplusDir, { threads: 2 });
  try {
    const files = [
      ...['enroll', 'test'].flatMap((d) =>
        fs
          .readdirSync(path.join(SPEAKERS, d))
          .filter((f) => f.endsWith('.wav'))
          .map((f) => ({ file: path.join(SPEAKERS, d, f), speaker: f.replace(/-(test-)?sr-\d\.wav$/, ''), language: 'cn' })),
      ),
      ...fs
        .readdirSync(path.join(SPEAKERS, 'test', '3d-speaker'))
        .filter((f) => f.endsWith('.wav'))
        .map((f) => ({ file: path.join(SPEAKERS, 'test', '3d-speaker', f), speaker: `3d-${f.split('_')[0]}`, language: f.includes('_en_') ? 'en' : 'cn' })),
    ].sort((a, b) => a.file.localeCompare(b.file));
    const out: Phrase[] = [];
    for (const f of files) {
      const samples = (await decodeAudio(f.file)).samples;
      const v: Record<number, Float32Array> = {};
      for (const shiftMs of [0, 10]) {
        const shifted = new Float32Array(samples.length + (shiftMs * SAMPLE_RATE) / 1000);
        shifted.set(samples, shifted.length - samples.length);
        v[shiftMs] = (await embedRangeFbank(model, shifted))!;
      }
      out.push({ name: path.basename(f.file), speaker: f.speaker, language: f.language, v });
    }
    return out;
  } finally {
    await model.dispose();
  }
}

const all = skip ? Promise.resolve([]) : phrases();
all.catch(() => undefined); // awaited by each test, which reports the failure

test('CAM++ live labels, two phrases: the same speaker in the same language joins, a different speaker does not, also 10 ms later', { skip }, async () => {
  const clips = await all;
  assert.equal(clips.length, 20);
  for (const shiftMs of [0, 10]) {
    for (const first of clips) {
      for (const second of clips) {
        if (first === second || (first.speaker === second.speaker && first.language !== second.language)) continue;
        const s = OnlineSpeakers.for('campplus');
        assert.equal(s.assign(first.v[0]), 0);
        const joined = s.assign(second.v[shiftMs]) === 0;
        assert.equal(joined, first.speaker === second.speaker, `${second.name} (+${shiftMs} ms) after ${first.name}`);
      }
    }
  }
});

test('CAM++ live labels, a meeting of the 20 clips in turn: one label per person and language, none shared, also 10 ms later', { skip }, async () => {
  const clips = await all;
  // Speakers take turns: the first clip of each, then the second of each, and so on; also in the reverse order.
  const bySpeaker = new Map<string, Phrase[]>();
  for (const c of clips) bySpeaker.set(c.speaker, [...(bySpeaker.get(c.speaker) ?? []), c]);
  const turns: Phrase[] = [];
  for (let i = 0; turns.length < clips.length; i++) for (const list of bySpeaker.values()) if (list[i]) turns.push(list[i]);
  for (const order of [turns, [...turns].reverse()]) {
    for (const shiftMs of [0, 10]) {
      const s = OnlineSpeakers.for('campplus');
      const labels = order.map((c) => s.assign(c.v[shiftMs]));
      const seen = (c: Phrase) => `${c.speaker}/${c.language}`;
      const byLabel = new Map<number, Set<string>>();
      const byVoice = new Map<string, Set<number>>();
      order.forEach((c, i) => {
        byLabel.set(labels[i], (byLabel.get(labels[i]) ?? new Set()).add(c.speaker));
        byVoice.set(seen(c), (byVoice.get(seen(c)) ?? new Set()).add(labels[i]));
      });
      const what = `+${shiftMs} ms: ${order.map((c, i) => `${c.name}=${labels[i]}`).join(' ')}`;
      for (const speakers of byLabel.values()) assert.equal(speakers.size, 1, `a label shared by ${[...speakers].join(', ')}; ${what}`);
      for (const [voice, ids] of byVoice) assert.equal(ids.size, 1, `${voice} split into labels ${[...ids].join(', ')}; ${what}`);
    }
  }
});
