// The least of the protobuf wire format needed to edit an ONNX file in place: split a message into its fields
// (kept as raw bytes), and write fields back. Editing a nested message means re-writing each enclosing
// field with its new length; every field not touched keeps its bytes, so the rest of the model is unchanged.
// (ONNX files are protobuf: onnx.proto's field numbers are used by the caller, not here.)

export const WIRE_VARINT = 0;
export const WIRE_BYTES = 2;

export interface Field {
  number: number;
  wire: number;
  /** The whole field as written: key, length (for bytes) and value. */
  raw: Uint8Array;
  /** The value: the payload of a length-delimited field, the varint's bytes otherwise. */
  value: Uint8Array;
}

function readVarint(buf: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let i = at; i < buf.length; i++) {
    const byte = buf[i];
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if ((byte & 0x80) === 0) return { value, next: i + 1 };
    if (i - at > 9) break;
  }
  throw new Error(`protobuf: bad varint at byte ${at}`);
}

function writeVarint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** The top-level fields of one message, in order. */
export function readFields(buf: Uint8Array): Field[] {
  const fields: Field[] = [];
  let at = 0;
  while (at < buf.length) {
    const start = at;
    const key = readVarint(buf, at);
    const number = Math.floor(key.value / 8);
    const wire = key.value % 8;
    at = key.next;
    let valueStart = at;
    if (wire === WIRE_VARINT) at = readVarint(buf, at).next;
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === WIRE_BYTES) {
      const length = readVarint(buf, at);
      valueStart = length.next;
      at = length.next + length.value;
    } else throw new Error(`protobuf: unsupported wire type ${wire} at byte ${start}`);
    if (at > buf.length) throw new Error(`protobuf: field ${number} runs past the end`);
    fields.push({ number, wire, raw: buf.subarray(start, at), value: buf.subarray(valueStart, at) });
  }
  return fields;
}

/** A length-delimited field (a string, bytes or a nested message). */
export function bytesField(number: number, value: Uint8Array): Uint8Array {
  const head = [...writeVarint(number * 8 + WIRE_BYTES), ...writeVarint(value.length)];
  const out = new Uint8Array(head.length + value.length);
  out.set(head, 0);
  out.set(value, head.length);
  return out;
}

export function varintField(number: number, value: number): Uint8Array {
  return Uint8Array.from([...writeVarint(number * 8 + WIRE_VARINT), ...writeVarint(value)]);
}

export function stringField(number: number, text: string): Uint8Array {
  return bytesField(number, new TextEncoder().encode(text));
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function text(value: Uint8Array): string {
  return new TextDecoder().decode(value);
}

/** The message with each field passed through `edit` (which returns its new raw bytes), then `extra` appended. */
export function rewrite(buf: Uint8Array, edit: (field: Field) => Uint8Array, extra: readonly Uint8Array[] = []): Uint8Array {
  return concat([...readFields(buf).map(edit), ...extra]);
}
