// The capture stage: a media file → the 16 kHz journal (ffmpeg, streamed to disk), and live audio (microphone or a
// paced file) → the growing WAV journal with a level meter. Served by the capture child; run in-process by --in-process.
import * as fs from 'fs';
import { ClipMeter } from '../../audio/clipping';
import { decodeAudio } from '../../audio/decode';
import { findFfmpeg } from '../../audio/ffmpeg';
import { JournalWriter } from '../../audio/journal';
import { endOrphanRecorder, levelOf, openSource } from '../../audio/recorder';
import { WavJournalWriter, wavJournalSamples } from '../../audio/wavJournal';
import type { RecordResult } from '../../protocol/worker';
import { SAMPLE_RATE } from '../../vocabulary';
import type { StageHandlers } from './handlers';

const LEVEL_EVERY_MS = 100;

export const captureHandlers: StageHandlers<'capture'> = {
  async decode({ input, ffmpegPath, probe, journal }, ctx) {
    // Streamed to disk as ffmpeg produces it: an hour of audio costs this process no more memory than a minute.
    const writer = new JournalWriter(journal);
    const clipping = new ClipMeter();
    try {
      const sink = (c: Buffer) => {
        writer.write(c);
        clipping.add(c);
      };
      const audio = await decodeAudio(input, { ffmpegPath, probe, signal: ctx.signal, onProgress: ctx.progress, sink });
      writer.commit();
      if (audio.shortfall) ctx.warn(audio.shortfall);
      return { duration: audio.duration, samples: audio.sampleCount, clippedSamples: clipping.clipped };
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
    if (audio.pid) fs.writeFileSync(pidFile, String(audio.pid), { mode: 0o600 });
    let firstChunk = true;
    let window = { sum: 0, n: 0, peak: 0, at: Date.now() };
    let writeFailure: unknown;
    audio.stream.on('data', (chunk: Buffer) => {
      if (writeFailure) return;
      try {
        onChunk(chunk);
      } catch (err) {
        // A full disk (the writer says so in words): stop recording and fail the request with it; a crash would
        // restart into the same disk.
        writeFailure = err;
        audio.stop();
      }
    });
    const onChunk = (chunk: Buffer) => {
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
    };
    const stop = () => audio.stop();
    ctx.signal.addEventListener('abort', stop, { once: true });
    try {
      await audio.done;
      if (writeFailure) throw writeFailure;
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
