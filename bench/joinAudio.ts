// Natural long recordings for the benchmarks: clips or excerpts laid end to end into one WAV file.
import * as fs from 'fs';
import { decodeAudio } from '../src/audio/decode';
import { writeWav, type WavFormat } from '../src/audio/wav';
import { SAMPLE_RATE } from '../src/vocabulary';
import { concat } from '../test/fixtures/whisper/helpers';

/** The audio of `files` (decoded to 16 kHz mono), in order, with `pauseSeconds` of silence between two. */
export async function decodeWithPauses(files: string[], pauseSeconds: number): Promise<Float32Array[]> {
  const decoded = await Promise.all(files.map(async (f) => (await decodeAudio(f)).samples));
  const pause = new Float32Array(Math.round(pauseSeconds * SAMPLE_RATE));
  return decoded.flatMap((p, i) => (i && pause.length ? [pause, p] : [p]));
}

/** Writes `parts` one after the other to `file` (16 kHz mono) and returns the recording's length in seconds. */
export function writeJoined(file: string, parts: Float32Array[], format: WavFormat): number {
  const joined = concat(...parts);
  fs.writeFileSync(file, writeWav(joined, SAMPLE_RATE, format));
  return joined.length / SAMPLE_RATE;
}
