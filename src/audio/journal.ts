// The audio journal: decoded 16 kHz mono samples as raw little-endian float32 on disk. The capture child
// writes it, the transcription and diarization children read it, so audio never crosses IPC and a child that
// crashes can be given the same work again from disk. Written to a temporary name and renamed, so a reader
// never sees half a journal.
import * as fs from 'fs';

/** Appends chunks as they come (memory stays flat); `commit` publishes the journal, `discard` drops it. */
export class JournalWriter {
  private readonly tmp: string;
  private fd: number | undefined;
  bytes = 0;

  constructor(private readonly file: string) {
    this.tmp = `${file}.partial`;
    this.fd = fs.openSync(this.tmp, 'w');
  }

  write(chunk: Buffer): void {
    if (this.fd === undefined) throw new Error(`journal ${this.file} is already closed`);
    fs.writeSync(this.fd, chunk);
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

export function readJournal(file: string): Float32Array {
  const buf = fs.readFileSync(file);
  // Copy into an aligned buffer: a Buffer's offset in Node's pool need not be a multiple of 4.
  const out = new Float32Array(Math.floor(buf.length / 4));
  new Uint8Array(out.buffer).set(buf.subarray(0, out.length * 4));
  return out;
}
