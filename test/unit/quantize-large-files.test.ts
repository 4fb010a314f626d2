// Graphs past 2 and 4 GB: the decoder reads a model's structure through a window and leaves inline weights in the
// file, so sizes and offsets above 2^31 and 2^32 must come out exact (no 32-bit arithmetic, no whole-file Buffer).
// A virtual file of 4 GB and more stands in for one on disk (only the bytes read exist); on file systems with
// sparse files, a real one goes through the whole quantizer and must give the same bytes as without its padding.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { decodeModelLazily, decodeTensor } from '../../src/onnx/decode';
import { DATA_TYPE } from '../../src/onnx/fieldNumbers';
import { FileWindow, type PositionalRead } from '../../src/onnx/fileWindow';
import { encodeTensor, type Tensor } from '../../src/onnx/model';
import { readFields } from '../../src/onnx/protobuf';
import { quantizeModelFolder } from '../../src/quantize';
import { modelBytes, toyDecoder, writeToyWhisperFolder } from '../fixtures/onnxGraphs';
import { tmpDir } from '../fixtures/tmp';

/** More than 2^32 bytes of weights: every size and offset after them needs 33 bits. */
const HUGE = 2 ** 32 + 4099;

/** A message's bytes, with holes: runs of zeros that exist only as their length. */
type Piece = Uint8Array | { zeros: number };
const pieceLength = (p: Piece) => (p instanceof Uint8Array ? p.length : p.zeros);

function varint(value: number): number[] {
  const out: number[] = [];
  for (let v = value; ; v = Math.floor(v / 128)) {
    if (v < 128) return [...out, v];
    out.push((v % 128) + 128);
  }
}
const varintField = (number: number, value: number): Piece[] => [Uint8Array.from([...varint(number * 8), ...varint(value)])];
function lengthField(number: number, pieces: Piece[]): Piece[] {
  const length = pieces.reduce((n, p) => n + pieceLength(p), 0);
  return [Uint8Array.from([...varint(number * 8 + 2), ...varint(length)]), ...pieces];
}
const stringField = (number: number, s: string) => lengthField(number, [new TextEncoder().encode(s)]);

/** A file of these pieces, read through fs.readSync's shape; records every read. */
function virtualFile(pieces: Piece[]): PositionalRead & { at: (piece: Piece) => number; bytesRead: number } {
  const placed: { piece: Piece; at: number }[] = [];
  let size = 0;
  for (const piece of pieces) {
    placed.push({ piece, at: size });
    size += pieceLength(piece);
  }
  const file = {
    size,
    bytesRead: 0,
    at: (piece: Piece) => placed.find((p) => p.piece === piece)!.at,
    read(into: Uint8Array, offset: number, length: number, position: number): number {
      const n = Math.max(0, Math.min(length, size - position));
      into.fill(0, offset, offset + n);
      for (const { piece, at } of placed) {
        if (!(piece instanceof Uint8Array) || at >= position + n || at + piece.length <= position) continue;
        const from = Math.max(at, position);
        const to = Math.min(at + piece.length, position + n);
        into.set(piece.subarray(from - at, to - at), offset + from - position);
      }
      file.bytesRead += n;
      return n;
    },
  };
  return file;
}

test('decode: a model of more than 4 GB read through a window gives sizes and offsets above 2^32 exactly, weights unread', () => {
  const scale = new Uint8Array(new Float32Array([1.5]).buffer);
  const late = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) & 255);
  const tensor = (name: string, dims: number[], dataType: number, raw: Piece) => [
    ...dims.flatMap((d) => varintField(1, d)),
    ...varintField(2, dataType),
    ...stringField(8, name),
    ...lengthField(9, [raw]),
  ];
  const graph = [
    ...lengthField(5, tensor('padding', [HUGE], DATA_TYPE.uint8, { zeros: HUGE })),
    ...lengthField(5, tensor('scale', [1], DATA_TYPE.float, scale)),
    ...lengthField(5, tensor('late', [late.length], DATA_TYPE.uint8, late)),
    ...lengthField(1, [...stringField(1, 'late'), ...stringField(2, 'y'), ...stringField(4, 'Identity')]),
    ...stringField(2, 'g'),
  ];
  const file = virtualFile([...varintField(1, 8), ...lengthField(7, graph), ...lengthField(8, [...stringField(1, ''), ...varintField(2, 17)])]);
  assert.ok(file.size > HUGE);

  const model = decodeModelLazily(new FileWindow(file), '/virtual/model.onnx');
  const [padding, scaleTensor, lateTensor] = model.graph.initializers;
  assert.deepEqual(
    model.graph.initializers.map((t) => t.name),
    ['padding', 'scale', 'late'],
  );
  assert.deepEqual(padding.dims, [HUGE]);
  assert.equal(padding.data.kind, 'file');
  assert.equal(padding.data.kind === 'file' && padding.data.length, HUGE);
  // The small constant is in memory; the tensor after the padding is a range of the file above 2^32.
  assert.deepEqual(scaleTensor.data, { kind: 'bytes', bytes: scale });
  assert.deepEqual(lateTensor.data, { kind: 'file', path: path.resolve('/virtual/model.onnx'), offset: file.at(late), length: late.length });
  assert.ok(file.at(late) > 2 ** 32);
  const readBack = new Uint8Array(late.length);
  file.read(readBack, 0, late.length, file.at(late));
  assert.deepEqual(readBack, late);
  assert.deepEqual(
    model.graph.nodes.map((n) => [n.opType, n.inputs, n.outputs]),
    [['Identity', ['late'], ['y']]],
  );
  assert.deepEqual(
    model.opsetImports.map((o) => [o.domain, o.version]),
    [['', 17]],
  );
  assert.equal(model.other.length, 1, 'ir_version, after which the graph starts');
  // Headers and small fields only: the 4 GB of weights were skipped, not read.
  assert.ok(file.bytesRead < 1 << 20, `${file.bytesRead} bytes read`);
});

test('encode: dims, offsets and lengths above 2^32 written as onnx does and read back exactly', () => {
  const dir = path.resolve('/virtual');
  const tensor: Tensor = { name: 'w', dims: [HUGE, 3], dataType: DATA_TYPE.uint8, data: { kind: 'fields' }, other: [], defaultLocationWritten: false };
  const placement = { kind: 'external', location: 'w_data', offset: 2 ** 32 + 5, length: 2 ** 31 + 3 } as const;
  const bytes = encodeTensor(tensor, placement);
  const text = new TextDecoder().decode(bytes);
  assert.ok(text.includes('4294967301') && text.includes('2147483651'), 'offset and length as decimal strings');
  const back = decodeTensor(bytes, { dir, sizes: new Map([[path.join(dir, 'w_data'), 2 ** 34]]) });
  assert.deepEqual(back.dims, [HUGE, 3]);
  assert.deepEqual(back.data, { kind: 'file', path: path.join(dir, 'w_data'), offset: 2 ** 32 + 5, length: 2 ** 31 + 3 });
});

/** The toy decoder with an unused uint8 initializer of HUGE zeros first in its graph, as a sparse file. */
function writePaddedDecoder(file: string): void {
  const fields = readFields(modelBytes(toyDecoder()));
  const fd = fs.openSync(file, 'w');
  try {
    let at = 0;
    const write = (bytes: Uint8Array) => {
      fs.writeSync(fd, bytes, 0, bytes.length, at);
      at += bytes.length;
    };
    for (const f of fields) {
      if (f.number !== 7) {
        write(f.raw);
        continue;
      }
      const padding = lengthField(5, [
        ...varintField(1, HUGE),
        ...varintField(2, DATA_TYPE.uint8),
        ...stringField(8, 'padding'),
        ...lengthField(9, [{ zeros: HUGE }]),
      ]);
      for (const piece of lengthField(7, [...padding, f.value])) {
        if (piece instanceof Uint8Array) write(piece);
        else at += piece.zeros;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

test('quantizeModelFolder: a decoder of more than 4 GB inline (a sparse file) gives the bytes it gives without its padding', async (t) => {
  if (process.platform === 'win32') return t.skip('NTFS files are not sparse unless asked: 4 GB of zeros would be written');
  const plain = writeToyWhisperFolder(tmpDir('quantize-plain'));
  const padded = writeToyWhisperFolder(tmpDir('quantize-padded'));
  const decoder = path.join(padded, 'onnx', 'decoder_model_merged.onnx');
  writePaddedDecoder(decoder);
  const stat = fs.statSync(decoder);
  assert.ok(stat.size > HUGE);
  if (stat.blocks * 512 > 1 << 26) return t.skip('this file system does not keep holes: the file takes its 4 GB');

  await quantizeModelFolder(plain, 'int8');
  const result = await quantizeModelFolder(padded, 'int8');
  assert.equal(result.written.length, 4);
  for (const f of result.written) assert.ok(fs.readFileSync(path.join(padded, f)).equals(fs.readFileSync(path.join(plain, f))), `${f} differs`);
});
