// Dictation that reads like writing, and live audio first (issue #28), with the real models:
// - jfk and Harvard sentences joined with pauses, dictated as `transcrevai dictate --input … --realtime` prints them:
//   no word in capitals (nobody shouts there), and a WER within 2 points of the file transcription of the same audio;
//   the same for the PT-BR clips;
// - the text before the cursor, sent by the client at the start and as it changes, leads each phrase's decoding;
// - a dictation while a file job runs in the same engine: the phrases go ahead of the file's windows, the file job
//   is slowed but its transcript is the one an undisturbed run gives.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { decodeWithPauses, writeJoined } from '../../bench/joinAudio';
import { EngineClient, type LiveHandle } from '../../src/engine/client';
import type { LiveEvent, LiveSegment, LiveStartParams, TranscribeParams } from '../../src/protocol/client';
import type { Transcript } from '../../src/transcript';
import { amiExcerpts, englishClips, ptbrClips, type ReferenceClip } from '../fixtures/clips';
import { wordErrorRate } from '../fixtures/whisper/helpers';
import { ENGINE, JFK, modelDir, runCli, tmpDir } from './helpers';

const skip = modelDir('base') ? false : 'the base model is absent: run "npm run models"';
const dir = tmpDir('dictation');
const THREADS = 2;
/** The dictation's WER may exceed the file transcription's by this much (the bound). */
const WER_MARGIN = 0.02;
/** Busy engine: a phrase's end-to-text median may be at most this many times the idle one (the bench measures ~1.5). */
const BUSY_LATENCY_RATIO = 2;

/** Words of two letters or more written all in capitals. */
const capitalWords = (text: string) => text.match(/\b\p{Lu}{2,}\b/gu) ?? [];

async function joined(name: string, clips: ReferenceClip[], pauseSeconds = 1.5): Promise<{ file: string; reference: string }> {
  const file = path.join(dir, name);
  writeJoined(
    file,
    await decodeWithPauses(
      clips.map((c) => c.wav),
      pauseSeconds,
    ),
    'int16',
  );
  return { file, reference: clips.map((c) => c.text).join(' ') };
}

/** The file transcription and the dictation of the same audio, word error rates against the reference. */
function fileAndDictation(file: string, reference: string, language: string, realtime: boolean) {
  const common = ['--model', 'base', '--language', language, '--threads', String(THREADS)];
  const transcribed = runCli(['transcribe', file, ...common, '--format', 'txt'], {}, 180_000);
  assert.equal(transcribed.code, 0, transcribed.stderr);
  const dictated = runCli(['dictate', '--input', file, ...(realtime ? ['--realtime'] : []), ...common], {}, 180_000);
  assert.equal(dictated.code, 0, dictated.stderr);
  const fileWer = wordErrorRate(reference, transcribed.stdout);
  const dictationWer = wordErrorRate(reference, dictated.stdout);
  console.log(`# file WER ${(100 * fileWer.wer).toFixed(1)} %: ${transcribed.stdout.replace(/\s+/g, ' ')}`);
  console.log(`# dictation WER ${(100 * dictationWer.wer).toFixed(1)} %: ${dictated.stdout.replace(/\s+/g, ' ')}`);
  return { file: { text: transcribed.stdout, ...fileWer }, dictation: { text: dictated.stdout, ...dictationWer } };
}

test(
  'dictating jfk and Harvard sentences (--input --realtime): no word in capitals, WER within 2 points of the file transcription',
  { skip, timeout: 300_000 },
  async () => {
    const clips = englishClips().filter((c) => /jfk$|spk1_snt[12]$|spk2_snt[12]$/.test(c.id));
    assert.equal(clips.length, 5);
    const { file, reference } = await joined('en.wav', clips);
    const r = fileAndDictation(file, reference, 'en', true);
    assert.ok(r.dictation.text.split('\n').filter(Boolean).length >= 5, 'one line per phrase');
    assert.deepEqual(capitalWords(r.dictation.text), [], 'capitals nobody shouted');
    assert.deepEqual(capitalWords(r.file.text), []);
    assert.ok(r.dictation.wer <= r.file.wer + WER_MARGIN, `dictation WER ${r.dictation.wer.toFixed(3)}, file ${r.file.wer.toFixed(3)}`);
  },
);

test(
  'dictating the PT-BR clips joined with pauses: no word in capitals, WER within 2 points of the file transcription',
  { skip, timeout: 300_000 },
  async () => {
    const { file, reference } = await joined('pt.wav', ptbrClips());
    // As fast as it decodes: the phrases, their order and their text are those of a paced run (the VAD carries its
    // state across requests, and each phrase follows the ones before it either way); only the waiting differs.
    const r = fileAndDictation(file, reference, 'pt', false);
    assert.deepEqual(capitalWords(r.dictation.text), [], 'capitals nobody shouted');
    assert.ok(r.dictation.wer <= r.file.wer + WER_MARGIN, `dictation WER ${r.dictation.wer.toFixed(3)}, file ${r.file.wer.toFixed(3)}`);
  },
);

interface Dictation {
  /** Each final phrase, with the wall-clock time it arrived. */
  finals: (LiveSegment & { at: number })[];
  /** Wall-clock time the session was asked for: the recording's sample 0 is no earlier. */
  askedAt: number;
}

/** A dictation through the engine the extension uses, from a file source; `onFinal` may act between phrases. */
async function dictate(
  client: EngineClient,
  source: string,
  extra: Partial<LiveStartParams>,
  onFinal?: (final: LiveSegment, handle: { setContext(before: string, phrases: number): Promise<void> }) => void,
): Promise<Dictation> {
  const finals: Dictation['finals'] = [];
  let ended!: () => void;
  const sourceEnded = new Promise<void>((resolve) => (ended = resolve));
  const session: { handle?: LiveHandle } = {};
  const askedAt = Date.now();
  const onEvent = (e: LiveEvent) => {
    if (e.kind === 'final') {
      finals.push({ ...e.segment, at: Date.now() });
      if (session.handle) onFinal?.(e.segment, session.handle);
    }
    if (e.kind === 'ended') ended();
  };
  const handle = await client.startLive(
    {
      mode: 'dictation',
      source: { kind: 'file', input: source, realtime: true },
      model: 'base',
      language: 'en',
      precision: 'int8',
      threads: THREADS,
      ...extra,
    },
    onEvent,
  );
  session.handle = handle;
  await sourceEnded;
  await handle.stop();
  return { finals, askedAt };
}

test('the text before the cursor leads each phrase: sent at the start, and again as it changes', { skip, timeout: 180_000 }, async () => {
  const client = await EngineClient.start({ enginePath: ENGINE });
  try {
    // "Eu quero uma coxinha de frango", a long pause, then "nestor pestana duzentos e sessenta e seis região central".
    const clips = ptbrClips().filter((c) => /coxinha|LapsBM_0415/.test(c.id));
    const { file } = await joined('context.wav', clips.reverse(), 10);
    const address = 'O escritório fica na Rua Nestor Pestana, em São Paulo. Anote:';
    // The editor's text changes once the first phrase is in it, as the extension tells the engine: the second phrase
    // follows the new text.
    let changedAt = Infinity;
    const changed = await dictate(client, file, { language: 'pt', context: 'Lista de compras:' }, (final, handle) => {
      if (/coxinha/i.test(final.text)) void handle.setContext(`${address}\n${final.text}`, 1).then(() => (changedAt = Date.now()));
    });
    assert.equal(changed.finals.length, 2, JSON.stringify(changed.finals));
    assert.ok(
      changedAt < changed.askedAt + 1000 * changed.finals[1].start,
      'the new text reached the engine only after the second phrase was spoken: a machine this slow cannot tell',
    );
    assert.match(changed.finals[1].text, /Nestor Pestana/);
    // Given at the start.
    const address0415 = ptbrClips().find((c) => /LapsBM_0415/.test(c.id))!.wav;
    const atStart = await dictate(client, address0415, { language: 'pt', context: address });
    assert.match(atStart.finals.map((f) => f.text).join(' '), /Nestor Pestana/);
    const without = await dictate(client, address0415, { language: 'pt' });
    console.log(`# with the address before the cursor: "${atStart.finals[0]?.text}"; without: "${without.finals[0]?.text}"`);
  } finally {
    await client.dispose();
  }
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

test(
  'live first: phrases dictated while a file job runs go ahead of its windows; the file transcript is the undisturbed one',
  { skip, timeout: 600_000 },
  async () => {
    // 7 minutes of shared recordings (the AMI excerpts, the pyannote sample, faster-whisper's multilingual clip).
    const recordings = [
      ...amiExcerpts(),
      path.join(path.dirname(amiExcerpts()[0]), '..', 'pyannote_sample.wav'),
      path.join(path.dirname(JFK), 'formats', 'multilingual.mp3'),
    ];
    for (const f of recordings) assert.ok(fs.existsSync(f), f);
    const long = path.join(dir, 'long.wav');
    const seconds = writeJoined(long, await decodeWithPauses(recordings, 1), 'int16');
    assert.ok(seconds > 400);
    const job: TranscribeParams = { input: long, model: 'base', language: 'en', precision: 'int8', threads: THREADS };
    const client = await EngineClient.start({ enginePath: ENGINE });
    try {
      const idle = await dictate(client, JFK, {});
      const t0 = Date.now();
      const undisturbed = await client.transcribe(job);
      const undisturbedMs = Date.now() - t0;

      // The same job again, and a dictation once its windows are being transcribed.
      let transcribing!: () => void;
      const windowsStarted = new Promise<void>((resolve) => (transcribing = resolve));
      const progressAt: number[] = [];
      const t1 = Date.now();
      const busyJob = client.transcribe(job, {
        onProgress: (p) => {
          if (p.component !== 'transcription') return;
          progressAt.push(Date.now());
          transcribing();
        },
      });
      let fileDoneAt = Infinity;
      const fileDone = busyJob.then((t: Transcript) => {
        fileDoneAt = Date.now();
        return t;
      });
      await windowsStarted;
      const busy = await dictate(client, JFK, {});
      const disturbed = await fileDone;
      const disturbedMs = fileDoneAt - t1;

      const idleMs = idle.finals.map((f) => f.latencyMs!);
      const busyMs = busy.finals.map((f) => f.latencyMs!);
      console.log(
        `# end of phrase → text, idle ${idleMs.join(', ')} ms, busy ${busyMs.join(', ')} ms (medians ×${(median(busyMs) / median(idleMs)).toFixed(2)}); ` +
          `file job ${(undisturbedMs / 1000).toFixed(1)} s alone, ${(disturbedMs / 1000).toFixed(1)} s with the dictation`,
      );
      // The file was being transcribed before the first phrase and after the last: the engine was busy throughout.
      const lastFinal = Math.max(...busy.finals.map((f) => f.at));
      assert.ok(
        progressAt.some((t) => t > lastFinal),
        `the file job's windows ended before the dictation did (${seconds.toFixed(0)} s of audio were too few for this machine)`,
      );
      assert.ok(lastFinal < fileDoneAt);
      // The phrases did not wait for the file: as quick as on an idle engine, give or take.
      assert.ok(median(busyMs) <= BUSY_LATENCY_RATIO * median(idleMs), `busy median ${median(busyMs)} ms, idle ${median(idleMs)} ms`);
      // Each phrase as on the idle engine, and the file's transcript as undisturbed: text and times, segment for segment.
      assert.deepEqual(
        busy.finals.map((f) => [f.start, f.end, f.text]),
        idle.finals.map((f) => [f.start, f.end, f.text]),
      );
      assert.deepEqual(disturbed.segments, undisturbed.segments);
      assert.ok(undisturbed.segments.length > 20, `${undisturbed.segments.length} segments`);
    } finally {
      await client.dispose();
    }
  },
);
