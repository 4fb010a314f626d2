// The transcription child finds speech in a worker thread beside Whisper's load (dist/speech-thread.js): the same
// regions as in the calling thread, errors that keep their kind, and cancellation that ends the thread.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { detectSpeech, loadVad } from '../../src/audio/vad';
import { journalSource } from '../../src/audio/source';
import { readWav, toMono } from '../../src/audio/wav';
import { liveFirst } from '../../src/engine/stages/liveFirst';
import { detectSpeechBeside } from '../../src/engine/stages/speechInThread';
import { CancelledError, TranscrevError } from '../../src/errors';
import { amiExcerpts } from '../fixtures/clips';
import { MODELS_ROOT, ROOT, tmpDir } from './helpers';

const ENTRY = path.join(ROOT, 'dist', 'speech-thread.js');
const VAD = path.join(MODELS_ROOT, 'vad', 'silero_vad.onnx');

function journalOf(...wavs: string[]): string {
  const samples = Float32Array.from(wavs.flatMap((wav) => Array.from(toMono(readWav(fs.readFileSync(wav))))));
  const file = path.join(tmpDir('speech-thread'), 'journal.f32');
  fs.writeFileSync(file, Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength));
  return file;
}

const idle = () => ({ signal: new AbortController().signal, progress: () => undefined });

test('the thread finds the same speech regions as the calling thread, with progress to 100 %', { skip: !fs.existsSync(VAD) && 'no VAD model' }, async () => {
  assert.ok(fs.existsSync(ENTRY), `${ENTRY} is built by npm run build`);
  const journal = journalOf(amiExcerpts()[0]);
  const vad = await loadVad(VAD);
  const here = await detectSpeech(vad, journalSource(journal));
  await vad.dispose();
  const percents: number[] = [];
  const there = await detectSpeechBeside({ journal, vadFile: VAD }, { ...idle(), progress: (p) => percents.push(p) }, ENTRY);
  assert.ok(here.length > 3, `an AMI excerpt has several speech regions (got ${here.length})`);
  assert.deepEqual(there, here);
  assert.equal(percents.at(-1), 100);
});

test('a VAD model that is not there is a model error from the thread', async () => {
  const journal = journalOf(amiExcerpts()[0]);
  await assert.rejects(detectSpeechBeside({ journal, vadFile: '/nonexistent/silero_vad.onnx' }, idle(), ENTRY), (err: unknown) => {
    assert.ok(err instanceof TranscrevError);
    assert.equal(err.kind, 'model');
    assert.match(err.message, /VAD model not found/);
    return true;
  });
});

test('cancelling ends the thread at once', { skip: !fs.existsSync(VAD) && 'no VAD model' }, async () => {
  const journal = journalOf(amiExcerpts()[0]);
  const controller = new AbortController();
  const t0 = performance.now();
  const finding = detectSpeechBeside({ journal, vadFile: VAD }, { signal: controller.signal, progress: () => undefined }, ENTRY);
  setTimeout(() => controller.abort(), 20);
  await assert.rejects(finding, CancelledError);
  assert.ok(performance.now() - t0 < 1000, 'answered within a second of the abort');
});

test(
  'live first: the thread pauses between blocks while a live phrase is transcribed, then finishes',
  { skip: !fs.existsSync(VAD) && 'no VAD model' },
  async () => {
    const journal = journalOf(...amiExcerpts()); // 330 s: 11 blocks of about 30 s
    let percents = 0;
    let started!: () => void;
    const firstBlock = new Promise<void>((resolve) => (started = resolve));
    const finding = detectSpeechBeside(
      { journal, vadFile: VAD },
      {
        ...idle(),
        progress: () => {
          percents++;
          started();
        },
      },
      ENTRY,
    );
    await firstBlock;
    const during = await liveFirst.live(async () => {
      const before = percents;
      await new Promise((r) => setTimeout(r, 1500));
      return percents - before;
    });
    // The block already being scored may finish; no other starts while the phrase holds the cores.
    assert.ok(during <= 1, `${during} blocks scored during the live phrase`);
    const regions = await finding;
    assert.ok(regions.length > 20, `${regions.length} regions`);
    assert.ok(percents >= 11);
  },
);
