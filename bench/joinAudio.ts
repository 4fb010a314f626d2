// Natural long recordings for the benchmarks: clips or excerpts laid end to end into one WAV file.
import * as fs from 'fs';
import { writeWav, type WavFormat } from '../src/audio/wav';
import { SAMPLE_RATE } from '../src/vocabulary';

/** Writes `parts` one after the other to `file` (16 kHz mono) and returns the recording's length in seconds. */
export function writeJoined(file: string, parts: Float32Array[], format: WavFormat): number {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const joined = new Float32Array(total);
  let at = 0;
  for (const p of parts) {
    joined.set(p, at);
    at += p.length;
  }
  fs.writeFileSync(file, writeWav(joined, SAMPLE_RATE, format));
  return total / SAMPLE_RATE;
}
