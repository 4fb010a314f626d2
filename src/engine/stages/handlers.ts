// What each stage does, once: the handlers of the capture, transcription and diarization requests
// (protocol/worker.ts). A child process serves them over IPC (src/workers/*.ts); the in-process runner calls the
// very same functions (runner.ts). Audio travels through journal files in both cases: decode writes one,
// the other stages read it.
import * as fs from 'fs';
import { decodeAudio } from '../../audio/decode';
import { findFfmpeg } from '../../audio/ffmpeg';
import { JournalWriter, readJournal } from '../../audio/journal';
import { endOrphanRecorder, levelOf, openSource } from '../../audio/recorder';
import { speechProbabilitiesCarried } from '../../audio/vad';
import { diarize, energyVad } from '../../diarization';
import { embedRange } from '../../diarization/embedRange';
import type { RecordResult, WorkerEvent, WorkerKind, WorkerMethod, WorkerParams, WorkerResult } from '../../protocol/worker';
import { SAMPLE_RATE } from '../../vocabulary';
import { WavJournalWriter, wavJournalSamples } from '../../audio/wavJournal';
import { detectSpeech, transcribeSamples } from '../../whisper';
import { ModelCache } from './modelCache';

/** What a handler may do besides answering: be cancelled, report progress, warnings and events. */
export interface RequestContext {
  signal: AbortSignal;
  progress(percent: number): void;
  warn(message: string): void;
  /** Level meter readings, recording gaps. */
  event(event: WorkerEvent): void;
}

export type StageHandlers<K extends WorkerKind> = {
  [M in WorkerMethod<K>]: (params: WorkerParams<K, M>, ctx: RequestContext) => Promise<WorkerResult<K, M>>;
};

/** The models of this process, shared by every handler. */
export const models = new ModelCache();

const LEVEL_EVERY_MS = 100;

export const captureHandlers: StageHandlers<'capture'> = {
  async decode({ input, ffmpegPath, probe, journal }, ctx) {
    // Streamed to disk as ffmpeg produces it: an hour of audio costs this process no more memory than a minute.
    const writer = new JournalWriter(journal);
    try {
      const audio = await decodeAudio(input, { ffmpegPath, probe, signal: ctx.signal, onProgress: ctx.progress, sink: (c) => writer.write(c) });
      writer.commit();
      return { duration: audio.duration, samples: audio.sampleCount };
    } catch (err) {
      writer.discard();
      throw err;
    }
  },

  async record({ source, journal }, ctx): Promise<RecordResult> {
    // A journal that already holds audio means this handler replaces one that died mid-recording: the time
    // since its last write is audio nobody heard. It becomes silence, so later text keeps its true time.
    const resumedAfter = fs.existsSync(journal) && wavJournalSamples(journal) > 0 ? fs.statSync(journal).mtimeMs : undefined;
    const pidFile = `${journal}.recorder-pid`;
    await endOrphanRecorder(pidFile);
    const writer = new WavJournalWriter(journal);
    const audio = openSource(source, () => findFfmpeg().path);
    if (audio.pid) fs.writeFileSync(pidFile, String(audio.pid));
    let firstChunk = true;
    let window = { sum: 0, n: 0, peak: 0, at: Date.now() };
    audio.stream.on('data', (chunk: Buffer) => {
      if (firstChunk && resumedAfter !== undefined && source.kind === 'microphone') {
        const missing = Math.round(((Date.now() - resumedAfter) / 1000) * SAMPLE_RATE) - chunk.length / 2;
        if (missing > 0) {
          ctx.event({ kind: 'gap', atSample: writer.samples, samples: missing });
          writer.appendSilence(missing);
        }
      }
      firstChunk = false;
      writer.append(chunk);
      const { rms, peak } = levelOf(chunk);
      const n = Math.floor(chunk.length / 2);
      window = { sum: window.sum + rms * rms * n, n: window.n + n, peak: Math.max(window.peak, peak), at: window.at };
      if (Date.now() - window.at >= LEVEL_EVERY_MS) {
        ctx.event({ kind: 'level', rms: Math.sqrt(window.sum / Math.max(1, window.n)), peak: window.peak, samples: writer.samples });
        window = { sum: 0, n: 0, peak: 0, at: Date.now() };
      }
    });
    const stop = () => audio.stop();
    ctx.signal.addEventListener('abort', stop, { once: true });
    try {
      await audio.done;
      // Chunks still in the pipe when the source ended are written by now ('close' follows the last 'data').
      ctx.event({ kind: 'level', rms: 0, peak: 0, samples: writer.samples });
      return { samples: writer.samples, reason: ctx.signal.aborted ? 'stopped' : 'source-ended' };
    } finally {
      ctx.signal.removeEventListener('abort', stop);
      writer.close();
      fs.rmSync(pidFile, { force: true });
    }
  },
};

export const transcriptionHandlers: StageHandlers<'transcription'> = {
  async load(p) {
    const l0 = performance.now();
    const [{ model, warnings }] = await Promise.all([models.whisperModel(p.modelDir, p.precision, p.threads), p.vadFile ? models.vad(p.vadFile) : undefined]);
    return { modelName: model.name, precision: model.precision, loadSeconds: (performance.now() - l0) / 1000, warnings };
  },
  async speech(p, ctx) {
    const vad = await models.vad(p.vadFile);
    return detectSpeech(vad, readJournal(p.journal), { signal: ctx.signal });
  },
  async phrase(p, ctx) {
    const { model } = await models.whisperModel(p.modelDir, p.precision, p.threads);
    const offset = p.start / SAMPLE_RATE;
    const result = await transcribeSamples(model, readJournal(p.journal, { start: p.start, end: p.end }), {
      language: p.language,
      initialPrompt: p.initialPrompt,
      // A partial is replaced within a second: one greedy pass is enough, and keeps the next one on time.
      temperatures: p.partial ? [0] : undefined,
      signal: ctx.signal,
    });
    const segments = result.segments.map((s) => ({
      ...s,
      start: s.start + offset,
      end: s.end + offset,
      words: s.words?.map((w) => ({ ...w, start: w.start + offset, end: w.end + offset })),
    }));
    return {
      text: segments
        .map((s) => s.text.trim())
        .filter(Boolean)
        .join(' '),
      language: result.language,
      segments,
    };
  },
  async transcribe(p, ctx) {
    const { model, warnings } = await models.whisperModel(p.modelDir, p.precision, p.threads);
    const result = await transcribeSamples(model, readJournal(p.journal), {
      language: p.language,
      initialPrompt: p.initialPrompt,
      beamSize: p.beamSize,
      speech: p.speech,
      signal: ctx.signal,
      onProgress: ctx.progress,
    });
    return { modelName: model.name, precision: model.precision, language: result.language, segments: result.segments, warnings, stats: result.stats };
  },
};

export const diarizationHandlers: StageHandlers<'diarization'> = {
  async diarize(p, ctx) {
    const samples = readJournal(p.journal);
    // A speaker model that is missing or fails to load is not an error: diarize() falls back to MFCC (reported).
    const model = await models.speakerModel(p.modelDir, p.threads).catch(() => undefined);
    const r = await diarize(samples, p.speech ?? energyVad(samples), {
      threads: p.threads,
      model,
      modelDir: p.modelDir,
      speakers: p.speakers,
      minSpeakers: p.minSpeakers,
      maxSpeakers: p.maxSpeakers,
      method: p.method,
      signal: ctx.signal,
      onProgress: ctx.progress,
    });
    return { turns: r.turns, speakers: r.speakers, method: r.method, reason: r.reason, warnings: r.warnings };
  },
  async vad(p, ctx) {
    const v = await models.vad(p.vadFile);
    const carry = p.carry && { state: Float32Array.from(p.carry.state), context: Float32Array.from(p.carry.context) };
    const r = await speechProbabilitiesCarried(v, readJournal(p.journal, { start: p.start, end: p.end }), carry, ctx.signal);
    return { probs: Array.from(r.probs), carry: { state: Array.from(r.carry.state), context: Array.from(r.carry.context) } };
  },
  async embed(p, ctx) {
    const model = await models.speakerModel(p.modelDir, p.threads);
    const vector = await embedRange(model, readJournal(p.journal, { start: p.start, end: p.end }), ctx.signal);
    return { vector: vector && Array.from(vector) };
  },
};

export const HANDLERS: { [K in WorkerKind]: StageHandlers<K> } = {
  capture: captureHandlers,
  transcription: transcriptionHandlers,
  diarization: diarizationHandlers,
};
