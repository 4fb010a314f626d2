// The weight arithmetic of onnxruntime's MatMulNBits quantizer (quantize_matmul_4bits / quantize_matmul_8bits, MLAS
// BlockwiseQuantizer<float, block, bits, columnwise>::quantizeAndTranspose in q4_dq.cpp), to the bit: the same float32
// operations in the same order (Math.fround after each), roundf (half away from zero), and the same quirks, so that a
// model quantized here is byte-identical to the build toolchain's.
//
// B is [K, N] row-major; each column is cut into blocks of `blockSize` along K. Per block: min and max (widened to
// include 0), scale = (max − min) / (2^bits − 1), zero point = roundf(−min / scale) clamped; each value becomes
// clamp(roundf(v · (1/scale) + zp)). Outputs: packed [N, kBlocks, blobSize] (4-bit: two values a byte, low nibble
// first; rows past K stay 0), scales [N, kBlocks], zero points [N, ceil(kBlocks / valuesPerByte)] (4-bit: two a byte).
// MLAS works in "thread blocks" of valuesPerByte quant blocks of one column; two quirks follow from it and are kept:
// a thread block's missing second quant block (odd kBlocks, 4-bit) leaves the mid value 8 in its zero-point nibble,
// and when K is odd the last byte's high nibble repeats the previous pair's high value (a stale register in MLAS).

const FLT_MAX = 3.4028234663852886e38;
const fround = Math.fround;

/** C's roundf: half away from zero (JS Math.round rounds half up). Exact for float32 inputs. */
export function roundf(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

export interface BlockwiseQuantized {
  packed: Uint8Array;
  scales: Float32Array;
  zeroPoints: Uint8Array;
  kBlocks: number;
  blobSize: number;
}

export function blockwiseShapes(K: number, N: number, bits: 4 | 8, blockSize: number): { kBlocks: number; blobSize: number; zeroPointColumns: number } {
  const perByte = 8 / bits;
  const kBlocks = Math.ceil(K / blockSize);
  return { kBlocks, blobSize: Math.ceil(blockSize / perByte), zeroPointColumns: Math.ceil(kBlocks / perByte) };
}

/** Asymmetric blockwise quantization of a float32 [K, N] row-major matrix, as onnxruntime's MatMulNBits quantizer. */
export function quantizeBlockwise(weights: Float32Array, K: number, N: number, bits: 4 | 8, blockSize: number): BlockwiseQuantized {
  if (weights.length !== K * N) throw new Error(`quantizeBlockwise: ${weights.length} values for [${K}, ${N}]`);
  if (blockSize < 16 || (blockSize & (blockSize - 1)) !== 0) throw new Error(`quantizeBlockwise: block size ${blockSize} is not a power of two ≥ 16`);
  const perByte = 8 / bits;
  const kMax = (1 << bits) - 1;
  const kMid = 1 << (bits - 1);
  const { kBlocks, blobSize, zeroPointColumns } = blockwiseShapes(K, N, bits, blockSize);
  const qRows = kBlocks * blobSize;
  const packed = new Uint8Array(N * qRows);
  const scales = new Float32Array(N * kBlocks);
  const zeroPoints = new Uint8Array(N * zeroPointColumns);

  // One pass over a thread block's rows per step, every column at once (B is row-major: reading it column by column
  // would touch a cache line per value).
  const min = new Float32Array(N);
  const max = new Float32Array(N);
  const zp = Array.from({ length: perByte }, () => new Uint8Array(N));
  const reciprocal = Array.from({ length: perByte }, () => new Float32Array(N));
  const staleHigh = new Uint8Array(N);
  const threadRows = blockSize * perByte;
  for (let r = 0; r < K; r += threadRows) {
    const rEnd = Math.min(r + threadRows, K);
    const metaRow = r / blockSize;
    for (let p = 0; p < perByte; p++) {
      zp[p].fill(kMid);
      const rowStart = r + p * blockSize;
      const rowEnd = Math.min(rowStart + blockSize, rEnd);
      if (rowStart >= rowEnd) continue;
      min.fill(FLT_MAX);
      max.fill(-FLT_MAX);
      for (let i = rowStart; i < rowEnd; i++) {
        const row = i * N;
        for (let j = 0; j < N; j++) {
          const v = weights[row + j];
          if (v < min[j]) min[j] = v;
          if (v > max[j]) max[j] = v;
        }
      }
      for (let j = 0; j < N; j++) {
        // range2scalezp: std::min(min, 0.0f), std::max(max, 0.0f), then float32 arithmetic.
        const lo = 0 < min[j] ? 0 : min[j];
        const hi = max[j] < 0 ? 0 : max[j];
        const scale = fround(fround(hi - lo) / kMax);
        const zeroPoint = scale !== 0 ? fround(0 - fround(lo / scale)) : lo;
        zp[p][j] = zeroPoint < 0 ? 0 : zeroPoint > kMax ? kMax : roundf(zeroPoint);
        scales[j * kBlocks + metaRow + p] = scale;
        reciprocal[p][j] = scale !== 0 ? fround(1 / scale) : 0;
      }
    }
    const zpIndex = metaRow / perByte;
    for (let j = 0; j < N; j++) zeroPoints[j * zeroPointColumns + zpIndex] = bits === 8 ? zp[0][j] : (zp[0][j] & 0xf) | ((zp[1][j] << 4) & 0xff);
    staleHigh.fill(0);
    for (let i = r; i < rEnd; i += perByte) {
      const byteRow = i / perByte;
      for (let l = 0; l < perByte && i + l < rEnd; l++) {
        const p = Math.floor((i + l - r) / blockSize);
        const row = (i + l) * N;
        const rs = reciprocal[p];
        const z = zp[p];
        for (let j = 0; j < N; j++) {
          const x = roundf(fround(fround(weights[row + j] * rs[j]) + z[j]));
          const q = x < 0 ? 0 : x > kMax ? kMax : x;
          if (bits === 8) packed[j * qRows + byteRow] = q;
          else if (l === 0) packed[j * qRows + byteRow] = q | (staleHigh[j] << 4);
          else {
            staleHigh[j] = q;
            packed[j * qRows + byteRow] = (packed[j * qRows + byteRow] & 0x0f) | (q << 4);
          }
        }
      }
    }
  }
  return { packed, scales, zeroPoints, kBlocks, blobSize };
}
