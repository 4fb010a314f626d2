// The audio journal: decoded 16 kHz mono samples as raw little-endian float32 on disk. The capture child
// writes it, the transcription and diarization children read it, so audio never crosses IPC and a child that
// crashes can be given the same work again from disk. Written to a temporary name and renamed, so a reader
// never sees half a journal.
import * as fs from 'fs';

export function writeJournal(file: string, samples: Float32Array): void {
  const tmp = `${file}.partial`;
  fs.writeFileSync(tmp, Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength));
  fs.renameSync(tmp, file);
}

export function readJournal(file: string): Float32Array {
  const buf = fs.readFileSync(file);
  // Copy into an aligned buffer: a Buffer's offset in Node's pool need not be a multiple of 4.
  const out = new Float32Array(Math.floor(buf.length / 4));
  new Uint8Array(out.buffer).set(buf.subarray(0, out.length * 4));
  return out;
}
