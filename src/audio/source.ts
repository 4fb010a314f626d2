// Audio read window by window instead of held whole: an hour of 16 kHz float32 is 230 MB, and the stages need only
// a window at a time (30 s for Whisper, 1.6 s for a speaker embedding, 30 s blocks for the VAD). A source is either
// an array already in memory or a journal file on disk (read with pread, from the page cache).
import { readRawRange } from './journal';
import { isWavJournal, readWavJournal, wavJournalSamples } from './wavJournal';
import * as fs from 'fs';

export interface SampleSource {
  /** Samples available (16 kHz mono). */
  readonly length: number;
  /** Samples [start, end), clamped to [0, length). The result may share memory with the source: do not write it. */
  read(start: number, end: number): Float32Array;
}

export function arraySource(samples: Float32Array): SampleSource {
  return {
    length: samples.length,
    read: (start, end) => samples.subarray(Math.max(0, Math.floor(start)), Math.max(0, Math.min(samples.length, Math.ceil(end)))),
  };
}

/** A journal file (raw float32 of a file job, or a live recording's WAV), as it is now. */
export function journalSource(file: string): SampleSource {
  // The kind is looked at once: a read is one pread, not a header check first (reads come per window and block).
  const wav = isWavJournal(file);
  const length = wav ? wavJournalSamples(file) : Math.floor(fs.statSync(file).size / 4);
  const readRange = wav ? readWavJournal : readRawRange;
  return {
    length,
    read: (start, end) => readRange(file, Math.max(0, start), Math.min(length, end)),
  };
}

export function asSource(input: Float32Array | SampleSource): SampleSource {
  return input instanceof Float32Array ? arraySource(input) : input;
}

/** Block size of the sequential passes (VAD, log-mel maximum, energy gate): 30 s, a multiple of 512 and 160. */
export const BLOCK_SAMPLES = 512 * 960;
