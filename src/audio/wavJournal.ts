// The live recording journal: a 16 kHz mono 16-bit WAV that grows on disk as the microphone delivers audio.
// The capture child appends every chunk the moment it arrives and rewrites the header's two size fields each
// second, so a crash of any process costs at most the audio still inside the recorder's pipe. A restarted
// capture child reopens the file, repairs the header from the file's real length (the last header write may
// be a second old), and appends. Other processes read sample ranges straight from the data chunk while it grows.
import * as fs from 'fs';
import { explainDiskFull } from '../files/diskFull';
import { SAMPLE_RATE } from '../vocabulary';

const HEADER_BYTES = 44;
const BYTES_PER_SAMPLE = 2;
/** Header size fields are rewritten at most this often (each rewrite is a seek and 8 bytes). */
const HEADER_EVERY_MS = 1000;

function header(dataBytes: number): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(SAMPLE_RATE, 24);
  h.writeUInt32LE(SAMPLE_RATE * BYTES_PER_SAMPLE, 28);
  h.writeUInt16LE(BYTES_PER_SAMPLE, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/** True when the file starts like one of our journals (RIFF/WAVE with the data chunk at byte 36). */
export function isWavJournal(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const h = Buffer.alloc(HEADER_BYTES);
    const n = fs.readSync(fd, h, 0, HEADER_BYTES, 0);
    return n === HEADER_BYTES && h.toString('ascii', 0, 4) === 'RIFF' && h.toString('ascii', 8, 12) === 'WAVE' && h.toString('ascii', 36, 40) === 'data';
  } finally {
    fs.closeSync(fd);
  }
}

/** Samples on disk now: from the file's length, not the header (which may lag by a second, or a crash). */
export function wavJournalSamples(file: string): number {
  const size = fs.statSync(file).size;
  return Math.max(0, Math.floor((size - HEADER_BYTES) / BYTES_PER_SAMPLE));
}

export class WavJournalWriter {
  private fd: number | undefined;
  private dataBytes: number;
  private headerAt = 0;
  /** A trailing odd byte from the recorder's pipe (a chunk may end inside a sample). */
  private carry: Buffer | undefined;

  /** Opens `file` for appending, creating it (with a header) or repairing an existing one. */
  constructor(readonly file: string) {
    const present = fs.existsSync(file);
    const exists = present && fs.statSync(file).size >= HEADER_BYTES;
    if (exists && !isWavJournal(file)) throw new Error(`${file} exists and is not a TranscrevAI recording`);
    // A new recording is created exclusively and readable by its owner only: it is somebody's voice.
    this.fd = fs.openSync(file, present ? 'r+' : 'wx+', 0o600);
    if (!exists) fs.writeSync(this.fd, header(0), 0, HEADER_BYTES, 0);
    // A crash can leave half a sample at the end: cut it, so appended samples stay aligned.
    this.dataBytes = wavJournalSamples(file) * BYTES_PER_SAMPLE;
    fs.ftruncateSync(this.fd, HEADER_BYTES + this.dataBytes);
    this.writeHeader();
  }

  get samples(): number {
    return this.dataBytes / BYTES_PER_SAMPLE;
  }

  /** Appends signed 16-bit little-endian samples, as the recorder delivers them. */
  append(pcm: Buffer): void {
    if (this.fd === undefined) throw new Error(`recording ${this.file} is already closed`);
    let chunk = this.carry ? Buffer.concat([this.carry, pcm]) : pcm;
    this.carry = undefined;
    if (chunk.length & 1) {
      this.carry = chunk.subarray(chunk.length - 1);
      chunk = chunk.subarray(0, chunk.length - 1);
    }
    if (!chunk.length) return;
    try {
      fs.writeSync(this.fd, chunk, 0, chunk.length, HEADER_BYTES + this.dataBytes);
    } catch (err) {
      throw explainDiskFull(err, this.file);
    }
    this.dataBytes += chunk.length;
    if (Date.now() - this.headerAt >= HEADER_EVERY_MS) this.writeHeader();
  }

  /** Appends `count` samples of silence (the audio lost while capture restarted keeps its place in time). */
  appendSilence(count: number): void {
    const block = Buffer.alloc(Math.min(count, SAMPLE_RATE) * BYTES_PER_SAMPLE);
    for (let left = count; left > 0; left -= block.length / BYTES_PER_SAMPLE) {
      this.append(left * BYTES_PER_SAMPLE >= block.length ? block : block.subarray(0, left * BYTES_PER_SAMPLE));
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    this.writeHeader();
    fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private writeHeader(): void {
    if (this.fd === undefined) return;
    fs.writeSync(this.fd, header(this.dataBytes), 0, HEADER_BYTES, 0);
    this.headerAt = Date.now();
  }
}

/** Samples [start, end) of a WAV journal as float32 in [-1, 1); `end` is clipped to what is on disk. */
export function readWavJournal(file: string, start = 0, end = Infinity): Float32Array {
  const fd = fs.openSync(file, 'r');
  try {
    const onDisk = Math.max(0, Math.floor((fs.fstatSync(fd).size - HEADER_BYTES) / BYTES_PER_SAMPLE));
    const from = Math.max(0, Math.min(Math.floor(start), onDisk));
    const to = Math.max(from, Math.min(Math.ceil(end), onDisk));
    const pcm = Buffer.alloc((to - from) * BYTES_PER_SAMPLE);
    for (let at = 0; at < pcm.length;) {
      const n = fs.readSync(fd, pcm, at, pcm.length - at, HEADER_BYTES + from * BYTES_PER_SAMPLE + at);
      if (n === 0) break;
      at += n;
    }
    const out = new Float32Array(to - from);
    for (let i = 0; i < out.length; i++) out[i] = pcm.readInt16LE(i * BYTES_PER_SAMPLE) / 32768;
    return out;
  } finally {
    fs.closeSync(fd);
  }
}
