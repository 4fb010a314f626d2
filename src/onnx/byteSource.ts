// Where the protobuf decoder reads a message's bytes from: a buffer in memory, or a file read through a window
// (fileWindow.ts) so that a graph of gigabytes of inline weights is decoded without holding them. Positions are
// plain numbers (exact to 2^53): a field past 2 or 4 GB is where it is, with no 32-bit arithmetic on the way.
import { readVarint, text, WIRE_BYTES, WIRE_FIXED32, WIRE_FIXED64, WIRE_VARINT } from './protobuf';

/** A field of a message, by position in its source. */
export interface FieldAt {
  number: number;
  wire: number;
  /** Where the field's key starts. */
  keyStart: number;
  /** Where its value starts and ends (a varint's bytes for wire type 0, the payload for wire type 2). */
  start: number;
  end: number;
}

export interface ByteSource {
  readonly size: number;
  varint(at: number): { value: number; next: number };
  /** `length` bytes at `at`, valid until the next call (may be a view of a reused window). */
  peek(at: number, length: number): Uint8Array;
  /** `length` bytes at `at` to keep: a view of the buffer in memory, a copy of a file's. */
  keep(at: number, length: number): Uint8Array;
}

/** The fields of the message between `start` and `end`, in order. */
export function* fieldsOf(source: ByteSource, start: number, end: number): Generator<FieldAt> {
  for (let at = start; at < end;) {
    const key = source.varint(at);
    const number = Math.floor(key.value / 8);
    const wire = key.value % 8;
    let valueStart = key.next;
    let valueEnd: number;
    if (wire === WIRE_VARINT) valueEnd = source.varint(valueStart).next;
    else if (wire === WIRE_FIXED64) valueEnd = valueStart + 8;
    else if (wire === WIRE_FIXED32) valueEnd = valueStart + 4;
    else if (wire === WIRE_BYTES) {
      const length = source.varint(valueStart);
      valueStart = length.next;
      valueEnd = length.next + length.value;
    } else throw new Error(`protobuf: unsupported wire type ${wire} at byte ${at}`);
    if (valueEnd > end) throw new Error(`protobuf: field ${number} at byte ${at} runs past its message`);
    yield { number, wire, keyStart: at, start: valueStart, end: valueEnd };
    at = valueEnd;
  }
}

/** A field's value as text. */
export function textAt(source: ByteSource, f: FieldAt): string {
  return text(source.peek(f.start, f.end - f.start));
}

/** A model's bytes already in memory (a file read whole, a message made in a test): every field a view of them. */
export class MemoryBytes implements ByteSource {
  constructor(private readonly buffer: Uint8Array) {}

  get size(): number {
    return this.buffer.length;
  }

  varint(at: number): { value: number; next: number } {
    return readVarint(this.buffer, at);
  }

  peek(at: number, length: number): Uint8Array {
    return this.keep(at, length);
  }

  keep(at: number, length: number): Uint8Array {
    if (at < 0 || at + length > this.buffer.length) throw new Error(`protobuf: bytes ${at}+${length} outside a message of ${this.buffer.length}`);
    return this.buffer.subarray(at, at + length);
  }
}
