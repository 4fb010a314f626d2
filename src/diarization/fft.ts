// In-place iterative radix-2 complex FFT and the power spectrum of a real frame.

const twiddleCache = new Map<number, { cos: Float64Array; sin: Float64Array }>();

function twiddles(n: number) {
  let t = twiddleCache.get(n);
  if (!t) {
    t = { cos: new Float64Array(n / 2), sin: new Float64Array(n / 2) };
    for (let i = 0; i < n / 2; i++) {
      t.cos[i] = Math.cos((2 * Math.PI * i) / n);
      t.sin[i] = -Math.sin((2 * Math.PI * i) / n);
    }
    twiddleCache.set(n, t);
  }
  return t;
}

/** Forward FFT of (re, im), length a power of two. */
export function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  const { cos, sin } = twiddles(n);
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1;
    const step = n / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step];
        const wi = sin[k * step];
        const a = i + k;
        const b = a + half;
        const xr = re[b] * wr - im[b] * wi;
        const xi = re[b] * wi + im[b] * wr;
        re[b] = re[a] - xr;
        im[b] = im[a] - xi;
        re[a] += xr;
        im[a] += xi;
      }
    }
  }
}

/** |X[k]|² for k = 0..n/2 of a real frame zero-padded to n. */
export function powerSpectrum(frame: Float64Array, n: number, out: Float64Array = new Float64Array(n / 2 + 1)): Float64Array {
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  re.set(frame.subarray(0, Math.min(frame.length, n)));
  fft(re, im);
  for (let k = 0; k <= n / 2; k++) out[k] = re[k] * re[k] + im[k] * im[k];
  return out;
}

/**
 * Mixed-radix FFT plan for any length (recursive decimation in time, the smallest prime factor first).
 * For n = 400 (the speaker model's 25 ms frame) this costs 400·(2+2+2+2+5+5) = 7 200 complex multiply-adds
 * instead of 80 000 for a direct DFT.
 */
export function mixedRadixPowerSpectrum(n: number): (frame: Float64Array, out: Float64Array) => void {
  const cos = new Float64Array(n);
  const sin = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    cos[j] = Math.cos((2 * Math.PI * j) / n);
    sin[j] = -Math.sin((2 * Math.PI * j) / n);
  }
  const factors: number[] = [];
  for (let m = n, p = 2; m > 1; ) {
    if (m % p === 0) {
      factors.push(p);
      m /= p;
    } else p++;
  }
  const scratchRe: Float64Array[] = [];
  const scratchIm: Float64Array[] = [];
  let size = n;
  for (const p of factors) {
    scratchRe.push(new Float64Array(size));
    scratchIm.push(new Float64Array(size));
    size /= p;
  }
  const inIm = new Float64Array(n);
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  const rec = (inRe: Float64Array, inOff: number, stride: number, len: number, outOff: number, depth: number): void => {
    if (len === 1) {
      outRe[outOff] = inRe[inOff];
      outIm[outOff] = inIm[inOff];
      return;
    }
    const p = factors[depth];
    const m = len / p;
    for (let r = 0; r < p; r++) rec(inRe, inOff + r * stride, stride * p, m, outOff + r * m, depth + 1);
    const tRe = scratchRe[depth];
    const tIm = scratchIm[depth];
    const step = n / len;
    for (let k = 0; k < m; k++) {
      for (let q = 0; q < p; q++) {
        const idx = k + q * m;
        let sr = 0;
        let si = 0;
        for (let r = 0; r < p; r++) {
          const j = (r * idx * step) % n;
          const yr = outRe[outOff + r * m + k];
          const yi = outIm[outOff + r * m + k];
          sr += yr * cos[j] - yi * sin[j];
          si += yr * sin[j] + yi * cos[j];
        }
        tRe[idx] = sr;
        tIm[idx] = si;
      }
    }
    for (let i = 0; i < len; i++) {
      outRe[outOff + i] = tRe[i];
      outIm[outOff + i] = tIm[i];
    }
  };
  return (frame, out) => {
    rec(frame, 0, 1, n, 0, 0);
    for (let k = 0; k <= n / 2; k++) out[k] = outRe[k] * outRe[k] + outIm[k] * outIm[k];
  };
}
