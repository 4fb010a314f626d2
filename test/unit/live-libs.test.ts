// The pure pieces of live audio: the growing WAV journal (append, crash repair, range reads), the streaming
// phrase segmenter, the bounded queue, online speaker labels, and the recorder's error messages.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { readJournal } from '../../src/audio/journal';
import { DICTATION_PHRASES, PhraseSegmenter, type PhraseEvent } from '../../src/audio/phrases';
import { chooseRecorder, levelOf, recorderFailure } from '../../src/audio/recorder';
import { VAD_WINDOW_SAMPLES as W } from '../../src/audio/vad';
import { readWav } from '../../src/audio/wav';
import { readWavJournal, WavJournalWriter, wavJournalSamples } from '../../src/audio/wavJournal';
import { OnlineSpeakers } from '../../src/diarization/online';
import { BoundedQueue } from '../../src/engine/boundedQueue';
import { tmpDir } from '../fixtures/tmp';

const dir = tmpDir('live-libs');

function pcm(values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => b.writeInt16LE(v, i * 2));
  return b;
}

test('WAV journal: appended chunks (split inside a sample) read back exactly, and the file is a valid WAV', () => {
  const file = path.join(dir, 'a.wav');
  const w = new WavJournalWriter(file);
  const all = pcm([1, -2, 300, -32768, 32767, 5, 6]);
  w.append(all.subarray(0, 3)); // ends inside the second sample
  w.append(all.subarray(3, 9));
  w.append(all.subarray(9));
  assert.equal(w.samples, 7);
  w.close();
  const wav = readWav(fs.readFileSync(file));
  assert.equal(wav.sampleRate, 16000);
  assert.deepEqual(
    Array.from(wav.channels[0]).map((v) => Math.round(v * 32768)),
    [1, -2, 300, -32768, 32767, 5, 6],
  );
  assert.deepEqual(
    Array.from(readWavJournal(file, 2, 5)).map((v) => Math.round(v * 32768)),
    [300, -32768, 32767],
  );
  // readJournal tells a WAV journal from a raw float32 one, and clips ranges to what is on disk.
  assert.deepEqual(
    Array.from(readJournal(file, { start: 5, end: 100 })).map((v) => Math.round(v * 32768)),
    [5, 6],
  );
});

test('WAV journal after a crash: a stale header and half a sample are repaired, and appending goes on', () => {
  const file = path.join(dir, 'b.wav');
  const w = new WavJournalWriter(file);
  w.append(pcm([10, 20, 30]));
  w.close();
  // A crash: more samples reached the disk than the header says, ending in half a sample.
  fs.appendFileSync(file, Buffer.concat([pcm([40, 50]), Buffer.from([0x01])]));
  assert.equal(fs.readFileSync(file).readUInt32LE(40), 6); // the header still says 3 samples
  assert.equal(wavJournalSamples(file), 5);
  const again = new WavJournalWriter(file);
  assert.equal(again.samples, 5);
  again.appendSilence(3);
  again.append(pcm([60]));
  again.close();
  const buf = fs.readFileSync(file);
  assert.equal(buf.readUInt32LE(40), 9 * 2);
  assert.equal(buf.readUInt32LE(4), 36 + 9 * 2);
  assert.deepEqual(
    Array.from(readWav(buf).channels[0]).map((v) => Math.round(v * 32768)),
    [10, 20, 30, 40, 50, 0, 0, 0, 60],
  );
});

test('WAV journal: refuses to append to a file that is not a recording', () => {
  const file = path.join(dir, 'c.txt');
  fs.writeFileSync(file, 'x'.repeat(100));
  assert.throws(() => new WavJournalWriter(file), /not a TranscrevAI recording/);
});

function windows(...runs: [number, number][]): number[] {
  return runs.flatMap(([p, n]) => Array(n).fill(p));
}

function feed(seg: PhraseSegmenter, probs: number[], step: number): PhraseEvent[] {
  const out: PhraseEvent[] = [];
  for (let i = 0; i < probs.length; i += step) out.push(...seg.push(probs.slice(i, i + step)));
  return out;
}

test('phrase segmenter: a phrase opens at speech, closes after 400 ms of silence, led in by 400 ms and padded 100 ms, however the windows arrive', () => {
  // 20 silent windows, 30 speech, 20 silent: silence from window 50; 400 ms = 12.5 windows → closed at window 62.
  const probs = windows([0.05, 20], [0.9, 30], [0.05, 20]);
  const expected: PhraseEvent[] = [
    { kind: 'start', start: 20 * W - 6400 },
    { kind: 'end', start: 20 * W - 6400, end: 50 * W + 1600 },
  ];
  for (const step of [1, 3, 7, 60]) assert.deepEqual(feed(new PhraseSegmenter(DICTATION_PHRASES), probs, step), expected, `step ${step}`);
});

test('phrase segmenter: a short pause keeps the phrase, a cough is dropped, the end of the stream closes an open phrase', () => {
  const seg = new PhraseSegmenter(DICTATION_PHRASES);
  // 30 speech, 8 silent (256 ms < 400 ms), 30 speech, then a 5-window blip (160 ms < 250 ms), then speech to the end.
  const events = feed(seg, windows([0.9, 30], [0.05, 8], [0.9, 30], [0.05, 20], [0.9, 5], [0.05, 20], [0.9, 10]), 4);
  assert.deepEqual(
    events.map((e) => e.kind),
    ['start', 'end', 'start', 'drop', 'start'],
  );
  assert.deepEqual(events[1], { kind: 'end', start: 0, end: 68 * W + 1600 });
  // After a pause longer than the pad and the lead-in together, the next phrase has its whole lead-in.
  assert.deepEqual(events[2], { kind: 'start', start: 88 * W - 6400 });
  assert.ok(seg.open);
  assert.deepEqual(seg.flush(), [{ kind: 'end', start: events[4].start, end: seg.position }]);
  assert.equal(seg.open, undefined);
});

test('phrase segmenter: after a short pause, the lead-in of the next phrase starts where the previous one ended', () => {
  // 30 speech, 14 silent (448 ms: the phrase closes, padded 100 ms), 30 speech: 448 ms of pause, less than pad + lead-in.
  const events = feed(new PhraseSegmenter(DICTATION_PHRASES), windows([0.9, 30], [0.05, 14], [0.9, 30]), 5);
  assert.deepEqual(events.slice(0, 3), [
    { kind: 'start', start: 0 },
    { kind: 'end', start: 0, end: 30 * W + 1600 },
    { kind: 'start', start: 30 * W + 1600 },
  ]);
});

test('phrase segmenter: hysteresis between 0.35 and 0.5 neither opens nor closes; over-long speech is cut at 28 s', () => {
  const seg = new PhraseSegmenter(DICTATION_PHRASES);
  assert.deepEqual(seg.push(windows([0.4, 50])), []); // never opened
  const long = seg.push(windows([0.9, 10], [0.4, 1000]));
  const ends = long.filter((e) => e.kind === 'end') as Extract<PhraseEvent, { kind: 'end' }>[];
  assert.ok(ends.length >= 1);
  for (const e of ends) assert.ok(e.end - e.start <= 28 * 16000, `phrase of ${(e.end - e.start) / 16000} s`);
});

test('bounded queue: refuses past its capacity, keeps order, remembers its peak', () => {
  const q = new BoundedQueue<number>(2);
  assert.ok(q.offer(1) && q.offer(2));
  assert.equal(q.offer(3), false);
  assert.ok(q.full);
  assert.equal(q.take(), 1);
  assert.ok(q.offer(4));
  assert.deepEqual([q.take(), q.take(), q.take()], [2, 4, undefined]);
  assert.equal(q.peak, 2);
  assert.throws(() => new BoundedQueue(0), /capacity/);
});

test('online speakers: similar vectors join a speaker, a distant one starts another unless it may not', () => {
  const s = new OnlineSpeakers(0.7);
  const v = (...x: number[]) => Float32Array.from(x);
  assert.equal(s.assign(v(1, 0, 0)), 0);
  assert.equal(s.assign(v(0.95, 0.1, 0)), 0);
  assert.equal(s.assign(v(0, 1, 0)), 1);
  assert.equal(s.assign(v(0.2, 0.1, 1), false), 0); // far from both, nearer speaker 0: joins it
  assert.equal(s.count, 2);
  assert.equal(s.assign(v(0, 0.1, 1)), 2);
});

test('recorder: a missing program and a failing device become device errors that say what to do', () => {
  assert.throws(
    () => chooseRecorder(undefined, { PATH: '/nonexistent' }),
    (e: Error & { kind?: string }) => e.kind === 'device' && /No audio recorder program/.test(e.message) && /sox/.test(e.message),
  );
  assert.throws(() => chooseRecorder('arecord', { PATH: '/nonexistent' }), /"arecord" \(setting transcrevai\.audio\.recorder\) was not found/);
  const busy = recorderFailure('arecord', 1, 'arecord: main:831: audio open error: Device or resource busy\n', 'hw:0');
  assert.equal(busy.kind, 'device');
  assert.match(busy.message, /arecord could not record from the input device "hw:0" .*exit 1: arecord: main:831: audio open error: Device or resource busy/);
  assert.match(recorderFailure('sox', 1, 'sox FAIL sox: Sorry, there is no default audio device configured', undefined).message, /default input device/);
  assert.deepEqual(levelOf(pcm([16384, -16384, 16384, -16384])), { rms: 0.5, peak: 0.5 });
});
