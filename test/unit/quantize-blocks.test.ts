// The quantizer's block arithmetic on small matrices made by hand: shapes and padding when K is not a multiple of the
// block, the all-zero, negative-only and positive-only blocks, ties (roundf for MatMulNBits as onnxruntime's MLAS,
// half to even for the embedding as numpy), MLAS's two packing quirks, and that every value dequantizes to within half
// a step. (Bit equality with onnxruntime and numpy on many matrices: tools/models/tests/test_ts_quantizer.py.)
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { quantizeBlockwise, roundf } from '../../src/quantize/blockwiseQuantize';
import { quantizeEmbedding, roundHalfEven } from '../../src/quantize/embeddingQuantize';
import { randomFloats } from '../fixtures/onnxGraphs';

/** Value (k, n) of a blockwise-quantized matrix, unpacked: code and zero point. */
function codeAt(q: ReturnType<typeof quantizeBlockwise>, bits: 4 | 8, k: number, n: number, blockSize: number): { code: number; zp: number; scale: number } {
  const perByte = 8 / bits;
  const rowBytes = q.kBlocks * q.blobSize;
  const byte = q.packed[n * rowBytes + Math.floor(k / perByte)];
  const code = bits === 8 ? byte : (byte >> (4 * (k % 2))) & 0xf;
  const block = Math.floor(k / blockSize);
  const zpColumns = Math.ceil(q.kBlocks / perByte);
  const zpByte = q.zeroPoints[n * zpColumns + Math.floor(block / perByte)];
  const zp = bits === 8 ? zpByte : (zpByte >> (4 * (block % 2))) & 0xf;
  return { code, zp, scale: q.scales[n * q.kBlocks + block] };
}

/** A [K, N] row-major matrix from its columns. */
function fromColumns(columns: number[][]): Float32Array {
  const K = columns[0].length;
  const out = new Float32Array(K * columns.length);
  columns.forEach((col, n) => col.forEach((v, k) => (out[k * columns.length + n] = v)));
  return out;
}

test('roundf rounds halves away from zero, roundHalfEven to the even neighbour', () => {
  assert.deepEqual([0.5, 1.5, 2.5, -0.5, -2.5, 2.4999998].map(roundf), [1, 2, 3, -1, -3, 2]);
  assert.deepEqual([0.5, 1.5, 2.5, -0.5, -2.5, 3.5000002].map(roundHalfEven), [0, 2, 2, -0, -2, 4]);
});

for (const bits of [4, 8] as const) {
  test(`${bits}-bit blocks: K not a multiple of the block, every value within half a step, padding left zero`, () => {
    const K = 37;
    const N = 3;
    const blockSize = 16;
    const w = randomFloats(K * N, bits);
    const q = quantizeBlockwise(w, K, N, bits, blockSize);
    assert.equal(q.kBlocks, 3);
    assert.equal(q.blobSize, blockSize / (8 / bits));
    assert.equal(q.packed.length, N * 3 * q.blobSize);
    assert.equal(q.scales.length, N * 3);
    assert.equal(q.zeroPoints.length, N * Math.ceil(3 / (8 / bits)));
    const top = (1 << bits) - 1;
    for (let n = 0; n < N; n++) {
      for (let k = 0; k < K; k++) {
        const { code, zp, scale } = codeAt(q, bits, k, n, blockSize);
        assert.ok(code >= 0 && code <= top && zp >= 0 && zp <= top);
        assert.ok(Math.abs((code - zp) * scale - w[k * N + n]) <= scale / 2 + 1e-7, `(${k}, ${n})`);
      }
      // Rows 37…47 of the last block do not exist: their codes are the zeros the buffer started with (4-bit: from the
      // byte after row 36's, which shares a byte with row 37).
      const rowBytes = q.kBlocks * q.blobSize;
      const firstPadByte = Math.ceil(K / (8 / bits));
      assert.ok(q.packed.subarray(n * rowBytes + firstPadByte, (n + 1) * rowBytes).every((b) => b === 0));
    }
  });

  test(`${bits}-bit blocks: all-zero, negative-only and positive-only columns`, () => {
    const top = (1 << bits) - 1;
    const negative = Array.from({ length: 16 }, (_, i) => -(i + 1) / 16);
    const positive = negative.map((v) => -v);
    const q = quantizeBlockwise(fromColumns([new Array(16).fill(0), negative, positive]), 16, 3, bits, 16);
    // All zero: scale 0 (its reciprocal taken as 0), zero point 0, every code 0, which dequantizes to exactly 0.
    assert.equal(q.scales[0], 0);
    for (let k = 0; k < 16; k++) assert.deepEqual(codeAt(q, bits, k, 0, 16), { code: 0, zp: 0, scale: 0 });
    // Negative only: the range is widened to [min, 0], so 0 is the top code and min the bottom one.
    assert.equal(q.scales[1], Math.fround(1 / top));
    assert.equal(codeAt(q, bits, 0, 1, 16).zp, top);
    assert.equal(codeAt(q, bits, 15, 1, 16).code, 0);
    // Positive only: [0, max], zero point 0, max the top code.
    assert.equal(codeAt(q, bits, 0, 2, 16).zp, 0);
    assert.equal(codeAt(q, bits, 15, 2, 16).code, top);
  });
}

test('MatMulNBits rounds ties away from zero: with scale 1, 2.5 → 3 and 3.5 → 4', () => {
  // Block range [0, 255] → scale (255 − 0) / 255 = 1 exactly, zero point 0: a code is roundf(v).
  const column = [0, 255, 2.5, 3.5, 100.5, ...new Array(11).fill(1)];
  const q = quantizeBlockwise(fromColumns([column]), 16, 1, 8, 16);
  assert.equal(q.scales[0], 1);
  assert.deepEqual([...q.packed.subarray(0, 5)], [0, 255, 3, 4, 101]);
});

test('the embedding rounds ties to even, as numpy: with scale 1, 2.5 → 2 and 3.5 → 4', () => {
  const row = [0, 255, 2.5, 3.5, 100.5, ...new Array(11).fill(1)];
  const { data, scales, zeroPoints } = quantizeEmbedding(Float32Array.from(row), 1, 16, 16);
  assert.equal(scales[0], 1);
  assert.equal(zeroPoints[0], 0);
  assert.deepEqual([...data.subarray(0, 5)], [0, 255, 2, 4, 100]);
});

test('the embedding: an all-zero block has scale 1 and zero point 0; a negative-only block zero point 255', () => {
  const row = [...new Array(16).fill(0), ...Array.from({ length: 16 }, (_, i) => -(i + 1))];
  const { data, scales, zeroPoints } = quantizeEmbedding(Float32Array.from(row), 1, 32, 16);
  assert.deepEqual([scales[0], zeroPoints[0]], [1, 0]);
  assert.ok(data.subarray(0, 16).every((b) => b === 0));
  assert.deepEqual([scales[1], zeroPoints[1]], [Math.fround(16 / 255), 255]);
  assert.equal(data[31], 0);
  for (let k = 16; k < 32; k++) assert.ok(Math.abs((data[k] - 255) * scales[1] - row[k]) <= scales[1] / 2 + 1e-6);
});

test('4-bit quirks kept from MLAS: a missing second block leaves 8 in its zero-point nibble; odd K repeats the last high nibble', () => {
  // K = 3, one block of 16: one zero-point byte whose high nibble belongs to a block that does not exist.
  const q = quantizeBlockwise(fromColumns([[1, 0.5, -1]]), 3, 1, 4, 16);
  assert.equal(q.zeroPoints[0] >> 4, 8);
  // Rows 0 and 1 share byte 0; row 2 is alone in byte 1, whose high nibble MLAS leaves at row 1's code.
  assert.equal(q.packed[1] >> 4, q.packed[0] >> 4);
  assert.notEqual(q.packed[1] >> 4, 0);
});
