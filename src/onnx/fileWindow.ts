// A file read as a ByteSource through a 64 KiB window: a decoder walking an ONNX file's structure reads its field
// headers in a few reads and skips the payloads it does not ask for (initializers' raw_data) by seeking, so a 2 GB
// graph with inline weights is parsed in little memory. The reads go through PositionalRead, fs.readSync's shape,
// which lets a test stand in a virtual file larger than 4 GB.
import * as fs from 'fs';
import type { ByteSource } from './byteSource';

export interface PositionalRead {
  readonly size: number;
  /** Reads up to `length` bytes at `position` into `into` from `offset`; returns how many (0 at the end of the file). */
  read(into: Uint8Array, offset: number, length: number, position: number): number;
}

const WINDOW = 1 << 16;

export class FileWindow implements ByteSource {
  private readonly buffer = new Uint8Array(WINDOW);
  private from = 0;
  private to = 0;

  constructor(private readonly file: PositionalRead) {}

  get size(): number {
    return this.file.size;
  }

  peek(at: number, length: number): Uint8Array {
    if (length > WINDOW) return this.keep(at, length);
    if (at < this.from || at + length > this.to) {
      this.from = at;
      this.to = at + this.readFully(this.buffer, 0, Math.min(WINDOW, this.file.size - at), at);
    }
    if (at + length > this.to) throw new Error(`protobuf: bytes ${at}+${length} past the end of the file (${this.file.size} bytes)`);
    return this.buffer.subarray(at - this.from, at - this.from + length);
  }

  keep(at: number, length: number): Uint8Array {
    if (length <= WINDOW) return this.peek(at, length).slice();
    const out = new Uint8Array(length);
    if (this.readFully(out, 0, length, at) < length) throw new Error(`protobuf: bytes ${at}+${length} past the end of the file (${this.file.size} bytes)`);
    return out;
  }

  varint(at: number): { value: number; next: number } {
    const bytes = this.peek(at, Math.max(0, Math.min(10, this.file.size - at)));
    let value = 0;
    let scale = 1;
    // Multiplication, not shifts: JavaScript's bitwise operators would cut a length or offset to 32 bits.
    for (let i = 0; i < bytes.length; i++) {
      value += (bytes[i] & 0x7f) * scale;
      scale *= 128;
      if ((bytes[i] & 0x80) === 0) return { value, next: at + i + 1 };
    }
    throw new Error(`protobuf: bad varint at byte ${at}`);
  }

  /** Reads until `length` bytes or the end of the file: one read() may return less (Linux stops each at ~2 GB). */
  private readFully(into: Uint8Array, offset: number, length: number, position: number): number {
    let done = 0;
    while (done < length) {
      const n = this.file.read(into, offset + done, length - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }
}

/** Runs `read` over the file through a window; the file is closed when it returns. */
export function withFileWindow<T>(file: string, read: (window: FileWindow) => T): T {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    return read(new FileWindow({ size, read: (into, offset, length, position) => fs.readSync(fd, into, offset, length, position) }));
  } finally {
    fs.closeSync(fd);
  }
}
