// Capture child: media file → 16 kHz mono journal (ffmpeg). Microphone capture joins it in the live-audio work.
import { writeJournal } from '../audio/journal';
import { decodeAudio } from '../audio/decode';
import { serveWorker } from './serve';

serveWorker('capture', {
  async decode({ input, ffmpegPath, journal }, ctx) {
    const audio = await decodeAudio(input, { ffmpegPath, signal: ctx.signal, onProgress: ctx.progress });
    writeJournal(journal, audio.samples);
    return { duration: audio.duration, samples: audio.samples.length };
  },
});
