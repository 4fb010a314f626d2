// When the job pipeline asks for speakers: the overlap-aware method starts as soon as the audio is decoded, beside
// the Whisper load and the VAD, not after them; without its models the GE2E method is asked for with the VAD's
// speech; a job that fails stops it. Stages are played by a scripted runner (no child processes, no models).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTranscription, type PreparedJob } from '../../src/engine/pipeline';
import type { StageRunner } from '../../src/engine/stages/runner';
import type { RequestHooks } from '../../src/engine/workerProcess';
import { CancelledError, TranscrevError } from '../../src/errors';
import type { DiarizeJournalParams, DiarizeJournalResult } from '../../src/protocol/worker';

const SPEECH = [{ start: 16000, end: 48000 }];

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const diarized = (method: string): DiarizeJournalResult => ({
  turns: [{ start: 0.5, end: 3, speaker: 'SPEAKER_1' }],
  speakers: [{ id: 'SPEAKER_1', name: 'Speaker 1', speakingTime: 2.5 }],
  method,
  reason: method,
  warnings: [],
});

/** A runner whose VAD answers only when `vad` is resolved; `diarize` answers each diarization request in turn. */
function scripted(diarize: (params: DiarizeJournalParams, hooks: RequestHooks) => Promise<DiarizeJournalResult>, options: { transcribeFails?: boolean } = {}) {
  const log: string[] = [];
  const vad = deferred<void>();
  // Never waits for ever: a pipeline that holds the diarization until the VAD is done fails the order check instead.
  const late = setTimeout(() => vad.resolve(), 300);
  void vad.promise.then(() => clearTimeout(late));
  const runner: StageRunner = {
    async run(kind, method, params, hooks = {}) {
      log.push(`${kind}.${method}`);
      const answer = async (): Promise<unknown> => {
        if (method === 'decode') return { duration: 4, samples: 64000, clippedSamples: 0 };
        if (method === 'load') return { modelName: 'base', precision: 'int8', loadSeconds: 0.1, warnings: [] };
        if (method === 'speech') {
          await vad.promise;
          log.push('vad done');
          return SPEECH;
        }
        if (method === 'transcribe') {
          if (options.transcribeFails) throw new TranscrevError('model', 'the decoder failed');
          return { modelName: 'base', precision: 'int8', language: 'en', segments: [{ start: 0.5, end: 3, text: 'hello there' }], warnings: [] };
        }
        if (method === 'diarize') return diarize(params as DiarizeJournalParams, hooks);
        throw new Error(`unexpected ${kind}.${method}`);
      };
      return answer() as never;
    },
    release: async () => undefined,
    dispose: async () => undefined,
  };
  return { runner, log, vad };
}

const job = (): PreparedJob => ({
  params: { input: 'meeting.wav', diarize: true, threads: 2 } as PreparedJob['params'],
  input: 'meeting.wav',
  ffmpegPath: 'ffmpeg',
  probe: {} as PreparedJob['probe'],
  modelDir: '/models/base',
  speakerDir: '/models/speaker',
  overlapDirs: { segmentation: '/models/segmentation', embedder: '/models/speaker-campplus' },
  vadFile: '/models/vad/silero.onnx',
  t0: performance.now(),
});

test('the overlap-aware method is asked for before the VAD is done, without speech, and its speakers are used', async () => {
  const requests: DiarizeJournalParams[] = [];
  const s = scripted(async (p) => {
    requests.push(p);
    // The VAD may finish only after the diarization was asked for.
    setImmediate(() => s.vad.resolve());
    return diarized('overlap-aware');
  });
  const r = await runTranscription(s.runner, job(), {}, []);
  assert.ok(s.log.indexOf('diarization.diarize') < s.log.indexOf('vad done'), s.log.join(' → '));
  assert.equal(requests.length, 1);
  assert.equal(requests[0].method, 'overlap-aware');
  assert.equal(requests[0].speech, undefined);
  assert.equal(r.transcript.diarization?.method, 'overlap-aware');
  assert.equal(r.transcript.segments[0].speaker, 'SPEAKER_1');
});

test('without the overlap-aware models, the GE2E method is asked for with the VAD speech', async () => {
  const requests: DiarizeJournalParams[] = [];
  const s = scripted(async (p) => {
    requests.push(p);
    if (p.method === 'overlap-aware') {
      setImmediate(() => s.vad.resolve());
      throw new TranscrevError('model', 'overlap-aware models unavailable (Speaker segmentation model not found)');
    }
    return diarized('spectral');
  });
  const r = await runTranscription(s.runner, job(), {}, []);
  assert.equal(requests.length, 2);
  assert.equal(requests[1].method, undefined);
  assert.deepEqual(requests[1].speech, SPEECH);
  assert.equal(r.transcript.diarization?.method, 'spectral');
});

test('a job that fails stops its diarization, which was reading the journal being deleted', async () => {
  let stopped = false;
  const s = scripted(
    (_p, hooks) =>
      new Promise((_resolve, reject) => {
        s.vad.resolve();
        hooks.signal?.addEventListener('abort', () => {
          stopped = true;
          reject(new CancelledError());
        });
      }),
    { transcribeFails: true },
  );
  await assert.rejects(runTranscription(s.runner, job(), {}, []), /the decoder failed/);
  assert.equal(stopped, true);
});
