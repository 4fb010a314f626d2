// The one FFT of the project (Whisper's log-mel, the speaker model's mel spectrogram, Kaldi fbank): a
// mixed-radix complex FFT (Stockham auto-sort, decimation in frequency) for any length whose prime factors are
// small. Whisper's and the speaker model's n_fft is 400 = 4·4·5·5, which a power-of-two FFT cannot do without
// changing the spectrum, and a naive DFT would cost 400² multiplies per frame (160 k × 3000 frames).
// Here a 400-point transform costs 400·(4+4+5+5) complex multiply-adds.
//
// A plan is built once per length (factors + twiddles) and reused for every frame.

/** Radices tried in order; 4 first because one radix-4 pass replaces two radix-2 passes. */
const PREFERRED_RADICES = [4, 2, 3, 5];

function factorize(n: number): number[] {
  const factors: number[] = [];
  let rest = n;
  for (const r of PREFERRED_RADICES) {
    while (rest % r === 0) {
      factors.push(r);
      rest /= r;
    }
  }
  // Any remaining prime factor is handled by the generic radix-r butterfly (slower, still correct).
  for (let p = 7; rest > 1; p += 2) {
    while (rest % p === 0) {
      factors.push(p);
      rest /= p;
    }
  }
  return factors;
}

interface Stage {
  radix: number;
  /** Sub-transform length at this stage (n / product of previous radices). */
  length: number;
  /** Stride between interleaved sub-transforms (product of previous radices). */
  stride: number;
  /** cos/sin(-2π·p·j/length) for p < length/radix, j < radix, laid out [p*radix + j]. */
  twRe: Float64Array;
  twIm: Float64Array;
  /** cos/sin(-2π·j·k/radix), laid out [j*radix + k]: the small DFT inside the butterfly. */
  dftRe: Float64Array;
  dftIm: Float64Array;
}

export class FftPlan {
  readonly n: number;
  private readonly stages: Stage[];
  private readonly bufRe: Float64Array;
  private readonly bufIm: Float64Array;
  private readonly aRe: Float64Array;
  private readonly aIm: Float64Array;

  constructor(n: number) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`FFT length must be a positive integer, got ${n}`);
    this.n = n;
    this.stages = [];
    let length = n;
    let stride = 1;
    let maxRadix = 1;
    for (const radix of factorize(n)) {
      const m = length / radix;
      const twRe = new Float64Array(m * radix);
      const twIm = new Float64Array(m * radix);
      for (let p = 0; p < m; p++) {
        for (let j = 0; j < radix; j++) {
          const angle = (-2 * Math.PI * p * j) / length;
          twRe[p * radix + j] = Math.cos(angle);
          twIm[p * radix + j] = Math.sin(angle);
        }
      }
      const dftRe = new Float64Array(radix * radix);
      const dftIm = new Float64Array(radix * radix);
      for (let j = 0; j < radix; j++) {
        for (let k = 0; k < radix; k++) {
          const angle = (-2 * Math.PI * ((j * k) % radix)) / radix;
          dftRe[j * radix + k] = Math.cos(angle);
          dftIm[j * radix + k] = Math.sin(angle);
        }
      }
      this.stages.push({ radix, length, stride, twRe, twIm, dftRe, dftIm });
      maxRadix = Math.max(maxRadix, radix);
      length = m;
      stride *= radix;
    }
    this.bufRe = new Float64Array(n);
    this.bufIm = new Float64Array(n);
    this.aRe = new Float64Array(maxRadix);
    this.aIm = new Float64Array(maxRadix);
  }

  /** In-place forward transform X[k] = Σ x[t]·e^(−2πi·k·t/n) (no scaling). */
  forward(re: Float64Array, im: Float64Array): void {
    if (re.length !== this.n || im.length !== this.n) throw new Error(`FFT expects length ${this.n}`);
    let xRe = re;
    let xIm = im;
    let yRe = this.bufRe;
    let yIm = this.bufIm;
    const aRe = this.aRe;
    const aIm = this.aIm;
    for (const st of this.stages) {
      const { radix, length, stride: s, twRe, twIm, dftRe, dftIm } = st;
      const m = length / radix;
      for (let p = 0; p < m; p++) {
        for (let q = 0; q < s; q++) {
          for (let k = 0; k < radix; k++) {
            const idx = q + s * (p + k * m);
            aRe[k] = xRe[idx];
            aIm[k] = xIm[idx];
          }
          for (let j = 0; j < radix; j++) {
            let sr = 0;
            let si = 0;
            const row = j * radix;
            for (let k = 0; k < radix; k++) {
              const wr = dftRe[row + k];
              const wi = dftIm[row + k];
              sr += aRe[k] * wr - aIm[k] * wi;
              si += aRe[k] * wi + aIm[k] * wr;
            }
            const tr = twRe[p * radix + j];
            const ti = twIm[p * radix + j];
            const out = q + s * (radix * p + j);
            yRe[out] = sr * tr - si * ti;
            yIm[out] = sr * ti + si * tr;
          }
        }
      }
      const tRe = xRe;
      const tIm = xIm;
      xRe = yRe;
      xIm = yIm;
      yRe = tRe;
      yIm = tIm;
    }
    if (xRe !== re) {
      re.set(xRe);
      im.set(xIm);
    }
  }
}

/** Reference O(n²) DFT, for tests only. */
export function naiveDft(re: Float64Array, im: Float64Array): { re: Float64Array; im: Float64Array } {
  const n = re.length;
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let t = 0; t < n; t++) {
      const angle = (-2 * Math.PI * ((k * t) % n)) / n;
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      sr += re[t] * c - im[t] * s;
      si += re[t] * s + im[t] * c;
    }
    outRe[k] = sr;
    outIm[k] = si;
  }
  return { re: outRe, im: outIm };
}

/**
 * Power spectrum |X[k]|², k = 0..n/2, of a real frame of even length n, using one complex FFT of
 * length n/2 (even samples as real part, odd as imaginary) and the standard split: half the work of
 * a complex FFT of length n.
 */
export class RealPowerSpectrum {
  readonly n: number;
  private readonly half: FftPlan;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly wRe: Float64Array;
  private readonly wIm: Float64Array;

  constructor(n: number) {
    if (n % 2 !== 0) throw new Error(`RealPowerSpectrum needs an even length, got ${n}`);
    this.n = n;
    const m = n / 2;
    this.half = new FftPlan(m);
    this.re = new Float64Array(m);
    this.im = new Float64Array(m);
    this.wRe = new Float64Array(m + 1);
    this.wIm = new Float64Array(m + 1);
    for (let k = 0; k <= m; k++) {
      this.wRe[k] = Math.cos((-2 * Math.PI * k) / n);
      this.wIm[k] = Math.sin((-2 * Math.PI * k) / n);
    }
  }

  /** `frame` has n samples; writes n/2 + 1 powers into `out`. */
  compute(frame: Float64Array, out: Float64Array): void {
    const m = this.n / 2;
    const { re, im, wRe, wIm } = this;
    for (let i = 0; i < m; i++) {
      re[i] = frame[2 * i];
      im[i] = frame[2 * i + 1];
    }
    this.half.forward(re, im);
    for (let k = 0; k <= m; k++) {
      const k1 = k % m;
      const k2 = (m - k) % m;
      const ar = re[k1];
      const ai = im[k1];
      const br = re[k2]; // b = conj(Z[m − k])
      const bi = -im[k2];
      const eRe = (ar + br) / 2;
      const eIm = (ai + bi) / 2;
      const oRe = (ai - bi) / 2; // (a − b) / 2i
      const oIm = -(ar - br) / 2;
      const xr = eRe + wRe[k] * oRe - wIm[k] * oIm;
      const xi = eIm + wRe[k] * oIm + wIm[k] * oRe;
      out[k] = xr * xr + xi * xi;
    }
  }
}

const realPlans = new Map<number, RealPowerSpectrum>();

/** |X[k]|², k = 0..n/2, of a real frame zero-padded (or cut) to the even length n; plans are cached per n. */
export function powerSpectrum(frame: Float64Array, n: number, out: Float64Array = new Float64Array(n / 2 + 1)): Float64Array {
  let plan = realPlans.get(n);
  if (!plan) {
    plan = new RealPowerSpectrum(n);
    realPlans.set(n, plan);
  }
  if (frame.length === n) {
    plan.compute(frame, out);
    return out;
  }
  const padded = new Float64Array(n);
  padded.set(frame.subarray(0, Math.min(frame.length, n)));
  plan.compute(padded, out);
  return out;
}
