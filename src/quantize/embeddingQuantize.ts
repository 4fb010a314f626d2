// The token embedding's 8-bit blocks (GatherBlockQuantized), as whisper_build.quantize_embedding computes them with
// numpy in float32: per block of `blockSize` along a row, lo = min(min, 0), hi = max(max, 0),
// scale = (hi − lo) / 255 (1 when hi = lo), zero = clip(round(−lo / scale)), q = clip(round(v / scale) + zero), with
// numpy's round (half to even) and true division, each step rounded to float32 as numpy does.

const fround = Math.fround;

/** numpy's round for a float: to the nearest integer, halves to the even one. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  const rounded = fraction < 0.5 ? floor : fraction > 0.5 ? floor + 1 : floor % 2 === 0 ? floor : floor + 1;
  // rint keeps the sign of a negative number rounded to zero.
  return rounded === 0 && x < 0 ? -0 : rounded;
}

export interface EmbeddingQuantized {
  /** [vocab, dim] uint8 */
  data: Uint8Array;
  /** [vocab, dim / blockSize] float32 */
  scales: Float32Array;
  /** [vocab, dim / blockSize] uint8 */
  zeroPoints: Uint8Array;
}

const clip255 = (x: number) => (x < 0 ? 0 : x > 255 ? 255 : x);

export function quantizeEmbedding(table: Float32Array, vocab: number, dim: number, blockSize: number): EmbeddingQuantized {
  if (table.length !== vocab * dim) throw new Error(`quantizeEmbedding: ${table.length} values for [${vocab}, ${dim}]`);
  if (dim % blockSize !== 0) throw new Error(`quantizeEmbedding: row of ${dim} is not a whole number of blocks of ${blockSize}`);
  const blocks = dim / blockSize;
  const data = new Uint8Array(vocab * dim);
  const scales = new Float32Array(vocab * blocks);
  const zeroPoints = new Uint8Array(vocab * blocks);
  for (let b = 0; b < vocab * blocks; b++) {
    const start = b * blockSize;
    let min = table[start];
    let max = table[start];
    for (let k = start + 1; k < start + blockSize; k++) {
      const v = table[k];
      // numpy's min and max propagate NaN (so does Math.min below).
      if (v < min || v !== v) min = v;
      if (v > max || v !== v) max = v;
    }
    const lo = Math.min(min, 0);
    const hi = Math.max(max, 0);
    const scale = hi > lo ? fround(fround(hi - lo) / 255) : 1;
    const zero = clip255(roundHalfEven(fround(-lo / scale)));
    scales[b] = scale;
    zeroPoints[b] = zero;
    for (let k = start; k < start + blockSize; k++) data[k] = clip255(roundHalfEven(fround(table[k] / scale)) + zero);
  }
  return { data, scales, zeroPoints };
}
