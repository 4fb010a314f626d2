// The least of the protobuf wire format needed to edit an ONNX file in place: split a message into its fields
// (kept as raw bytes), and write fields back. Editing a nested message means re-writing each enclosing
// field with its new length; every field not touched keeps its bytes, so the rest of the model is unchanged.
// (ONNX files are protobuf: onnx.proto's field numbers are used by the caller, not here.)

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

export interface Field {
  number: number;
  wire: number;
  /** The whole field as written: key, length (for bytes) and value. */
  raw: Uint8Array;
  /** The value: the payload of a length-delimited field, the varint's bytes otherwise. */
  value: Uint8Array;
}

export function readVarint(buf: Uint8Array, at: number): { value: number; next: number } {
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

/** A varint field's value as a number (exact up to 2^53: sizes, counts, enum values). */
export function varintValue(field: Field): number {
  return readVarint(field.value, 0).value;
}

const TWO_64 = 1n << 64n;

/** A varint field's value as a signed 64-bit integer (a negative int64 takes ten bytes, two's complement). */
export function int64Value(field: Field): bigint {
  let value = 0n;
  let shift = 0n;
  for (const byte of field.value) {
    value |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
  }
  return value >= TWO_64 / 2n ? value - TWO_64 : value;
}

function varintBytes(value: bigint): number[] {
  let v = value < 0n ? value + TWO_64 : value;
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

/** An int64 varint field; negative values as protobuf writes them (ten bytes). */
export function int64Field(number: number, value: bigint | number): Uint8Array {
  return Uint8Array.from([...writeVarint(number * 8 + WIRE_VARINT), ...varintBytes(BigInt(value))]);
}

/** A `float` field (fixed 32 bits, little-endian): the value rounded to float32 as protobuf stores it. */
export function floatField(number: number, value: number): Uint8Array {
  const key = writeVarint(number * 8 + WIRE_FIXED32);
  const out = new Uint8Array(key.length + 4);
  out.set(key, 0);
  new DataView(out.buffer).setFloat32(key.length, value, true);
  return out;
}

export function floatValue(field: Field): number {
  return new DataView(field.value.buffer, field.value.byteOffset, 4).getFloat32(0, true);
}

/** The numbers of a packed repeated varint field (int64 values as numbers, exact up to 2^53). */
export function packedVarints(value: Uint8Array): number[] {
  const out: number[] = [];
  for (let at = 0; at < value.length;) {
    const v = readVarint(value, at);
    out.push(v.value);
    at = v.next;
  }
  return out;
}

/** The values of a packed repeated int64 field, negative ones included. */
export function packedInt64(value: Uint8Array): bigint[] {
  const out: bigint[] = [];
  let start = 0;
  for (let at = 0; at < value.length; at++) {
    if ((value[at] & 0x80) === 0) {
      out.push(int64Value({ number: 0, wire: WIRE_VARINT, raw: value.subarray(start, at + 1), value: value.subarray(start, at + 1) }));
      start = at + 1;
    }
  }
  return out;
}

/**
 * Fields in the order protobuf serializes a message: by field number, repeated fields in their order. A message
 * parsed from a protobuf-written file and encoded again this way is the same bytes; fields added or replaced land
 * where `SerializeToString` would put them.
 */
export function encodeMessage(fields: readonly { number: number; raw: Uint8Array }[]): Uint8Array {
  const ordered = fields.map((f, i) => ({ f, i })).sort((a, b) => a.f.number - b.f.number || a.i - b.i);
  return concat(ordered.map((x) => x.f.raw));
}

/** A field with its number, as `encodeMessage` takes it. */
export function part(number: number, raw: Uint8Array): { number: number; raw: Uint8Array } {
  return { number, raw };
}
