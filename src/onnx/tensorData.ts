// The values of an initializer, read when needed: raw_data already in memory, or one tensor's range of a file (the
// .onnx itself for inline weights, or external data) through a file handle, never the whole file (a medium decoder's
// is 2 GB), or a quantized weight made on demand. Small constants (a Constant node's scale, a shape) are decoded
// synchronously.
import * as fs from 'fs';
import { DATA_TYPE, ELEMENT_BYTES, TENSOR } from './fieldNumbers';
import type { Tensor, TensorData } from './model';
import { int64Value, packedInt64, WIRE_BYTES } from './protobuf';

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((n, d) => n * d, 1);
}

/** The byte length of a tensor's raw_data, whatever holds it (0 for values in typed fields). */
export function dataLength(tensor: Tensor): number {
  const d = tensor.data;
  return d.kind === 'bytes' ? d.bytes.length : d.kind === 'file' || d.kind === 'derived' ? d.length : 0;
}

export class TensorReader {
  private readonly handles = new Map<string, Promise<fs.promises.FileHandle>>();

  /** The tensor's raw_data bytes (typed-field values re-encoded as raw little-endian bytes). */
  async bytes(tensor: Tensor): Promise<Uint8Array> {
    const d = tensor.data;
    if (d.kind === 'bytes') return d.bytes;
    if (d.kind === 'derived') return d.make();
    if (d.kind === 'fields') return typedFieldBytes(tensor);
    let handle = this.handles.get(d.path);
    if (!handle) {
      handle = fs.promises.open(d.path, 'r');
      this.handles.set(d.path, handle);
    }
    const out = new Uint8Array(d.length);
    const fh = await handle;
    for (let done = 0; done < d.length;) {
      const { bytesRead } = await fh.read(out, done, d.length - done, d.offset + done);
      if (bytesRead === 0) throw new Error(`${d.path}: ends before tensor ${tensor.name} (${d.offset}+${d.length})`);
      done += bytesRead;
    }
    return out;
  }

  /** A float32 tensor's values, in an aligned copy when the bytes sit at an odd place of the file's buffer. */
  async floats(tensor: Tensor): Promise<Float32Array> {
    if (tensor.dataType !== DATA_TYPE.float) throw new Error(`tensor ${tensor.name}: data type ${tensor.dataType}, not float32`);
    return asFloat32(await this.bytes(tensor));
  }

  async close(): Promise<void> {
    const handles = [...this.handles.values()];
    this.handles.clear();
    for (const h of handles) await (await h).close();
  }
}

const COMPARED_AT_ONCE = 1 << 20;

/** `length` bytes at `offset` of a tensor's raw_data (in memory or a file), read synchronously. */
function rawDataRange(data: TensorData, offset: number, length: number): Uint8Array {
  if (data.kind === 'bytes') return data.bytes.subarray(offset, offset + length);
  if (data.kind !== 'file') throw new Error(`raw data of kind ${data.kind} is not stored`);
  const out = new Uint8Array(length);
  const fd = fs.openSync(data.path, 'r');
  try {
    for (let done = 0; done < length;) {
      const n = fs.readSync(fd, out, done, length - done, data.offset + offset + done);
      if (n === 0) throw new Error(`${data.path}: ends inside a tensor (${data.offset}+${data.length})`);
      done += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return out;
}

/**
 * Whether two stored raw_data (in memory or in files) hold the same bytes, as protobuf's == compares them after
 * onnx.load has read every tensor: the same range of the same file is equal unread, others are compared a MB at a time.
 */
export function sameStoredBytes(x: TensorData & { kind: 'bytes' | 'file' }, y: TensorData & { kind: 'bytes' | 'file' }): boolean {
  const length = x.kind === 'bytes' ? x.bytes.length : x.length;
  if (length !== (y.kind === 'bytes' ? y.bytes.length : y.length)) return false;
  if (x.kind === 'file' && y.kind === 'file' && x.path === y.path && x.offset === y.offset) return true;
  for (let at = 0; at < length; at += COMPARED_AT_ONCE) {
    const n = Math.min(COMPARED_AT_ONCE, length - at);
    if (!Buffer.from(rawDataRange(x, at, n)).equals(rawDataRange(y, at, n))) return false;
  }
  return true;
}

export function asFloat32(bytes: Uint8Array): Float32Array {
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  return new Float32Array(aligned.buffer, aligned.byteOffset, aligned.length / 4);
}

/** Values held in float_data / int32_data / int64_data / double_data, as the raw_data bytes they stand for. */
function typedFieldBytes(tensor: Tensor): Uint8Array {
  const count = elementCount(tensor.dims);
  const size = ELEMENT_BYTES[tensor.dataType];
  if (!size) throw new Error(`tensor ${tensor.name}: data type ${tensor.dataType} in typed fields is not supported`);
  const out = new Uint8Array(count * size);
  const view = new DataView(out.buffer);
  const t = tensor.dataType;
  let i = 0;
  for (const f of tensor.other) {
    if (f.number === TENSOR.floatData && t === DATA_TYPE.float) {
      for (let at = 0; at + 4 <= f.value.length && i < count; at += 4)
        view.setFloat32(4 * i++, new DataView(f.value.buffer, f.value.byteOffset).getFloat32(at, true), true);
    } else if (f.number === TENSOR.doubleData && t === DATA_TYPE.double) {
      for (let at = 0; at + 8 <= f.value.length && i < count; at += 8)
        view.setFloat64(8 * i++, new DataView(f.value.buffer, f.value.byteOffset).getFloat64(at, true), true);
    } else if (f.number === TENSOR.int64Data && t === DATA_TYPE.int64) {
      for (const v of f.wire === WIRE_BYTES ? packedInt64(f.value) : [int64Value(f)]) if (i < count) view.setBigInt64(8 * i++, v, true);
    } else if (f.number === TENSOR.int32Data && t === DATA_TYPE.int32) {
      for (const v of f.wire === WIRE_BYTES ? packedInt64(f.value) : [int64Value(f)]) if (i < count) view.setInt32(4 * i++, Number(v), true);
    }
  }
  if (i !== count) throw new Error(`tensor ${tensor.name}: ${i} values in typed fields for ${count} elements`);
  return out;
}

/** A small in-memory tensor's values as numbers (float32, float64, int32, int64): constants of the graph. */
export function smallTensorValues(tensor: Tensor): number[] {
  const d = tensor.data;
  if (d.kind !== 'bytes' && d.kind !== 'fields') throw new Error(`tensor ${tensor.name}: values not in memory`);
  const bytes = d.kind === 'bytes' ? d.bytes : typedFieldBytes(tensor);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const size = ELEMENT_BYTES[tensor.dataType];
  const out: number[] = [];
  for (let at = 0; at + size <= bytes.length; at += size) {
    if (tensor.dataType === DATA_TYPE.float) out.push(view.getFloat32(at, true));
    else if (tensor.dataType === DATA_TYPE.double) out.push(view.getFloat64(at, true));
    else if (tensor.dataType === DATA_TYPE.int32) out.push(view.getInt32(at, true));
    else if (tensor.dataType === DATA_TYPE.int64) out.push(Number(view.getBigInt64(at, true)));
    else throw new Error(`tensor ${tensor.name}: data type ${tensor.dataType} is not a number type read here`);
  }
  return out;
}
