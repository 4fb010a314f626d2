// The audio journal: decoded 16 kHz mono samples as raw little-endian float32 on disk. The capture child
// writes it, the transcription and diarization children read it, so audio never crosses IPC and a child that
// crashes can be given the same work again from disk. Written to a temporary name and renamed, so a reader
// never sees half a journal.
import * as fs from 'fs';
import { explainDiskFull } from '../files/diskFull';
import { isWavJournal, readWavJournal } from './wavJournal';

/** Appends chunks as they come (memory stays flat); `commit` publishes the journal, `discard` drops it. */
export class JournalWriter {
  private readonly tmp: string;
  private fd: number | undefined;
  bytes = 0;

  constructor(private readonly file: string) {
    this.tmp = `${file}.partial`;
    // A partial file left by a capture child that died mid-decode is started afresh (the decode restarts).
    fs.rmSync(this.tmp, { force: true });
    this.fd = fs.openSync(this.tmp, 'wx', 0o600);
  }

  write(chunk: Buffer): void {
    if (this.fd === undefined) throw new Error(`journal ${this.file} is already closed`);
    try {
      fs.writeSync(this.fd, chunk);
    } catch (err) {
      throw explainDiskFull(err, this.file);
    }
    this.bytes += chunk.length;
  }

  commit(): void {
    this.close();
    fs.renameSync(this.tmp, this.file);
  }

  discard(): void {
    this.close();
    fs.rmSync(this.tmp, { force: true });
  }

  private close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * Samples of a journal: a file job's raw float32 journal, or a live recording's growing WAV (wavJournal.ts),
 * whole or the range [start, end). Reads straight into the returned array: no intermediate Buffer, so an hour
 * costs 230 MB once, not twice.
 */
export function readJournal(file: string, range?: { start: number; end: number }): Float32Array {
  if (isWavJournal(file)) return readWavJournal(file, range?.start, range?.end);
  if (range) return readRawRange(file, range.start, range.end);
  const fd = fs.openSync(file, 'r');
  try {
    const out = new Float32Array(Math.floor(fs.fstatSync(fd).size / 4));
    const bytes = new Uint8Array(out.buffer);
    for (let at = 0; at < bytes.length;) {
      const n = fs.readSync(fd, bytes, at, Math.min(bytes.length - at, 1 << 24), at);
      if (n === 0) throw new Error(`journal ${file} ended early at byte ${at} of ${bytes.length}`);
      at += n;
    }
    return out;
  } finally {
    fs.closeSync(fd);
  }
}

/** Samples [start, end) of a file job's raw float32 journal, clamped to what is on disk. */
export function readRawRange(file: string, start: number, end: number): Float32Array {
  const fd = fs.openSync(file, 'r');
  try {
    const onDisk = Math.floor(fs.fstatSync(fd).size / 4);
    const from = Math.max(0, Math.min(Math.floor(start), onDisk));
    const out = new Float32Array(Math.max(from, Math.min(Math.ceil(end), onDisk)) - from);
    fs.readSync(fd, new Uint8Array(out.buffer), 0, out.byteLength, from * 4);
    return out;
  } finally {
    fs.closeSync(fd);
  }
}
