// Capture child: media file → 16 kHz mono journal (ffmpeg). Microphone capture joins it in the live-audio work.
import { JournalWriter } from '../audio/journal';
import { decodeAudio } from '../audio/decode';
import { serveWorker } from './serve';

serveWorker('capture', {
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
});
