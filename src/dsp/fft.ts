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
      if (radix === 4 || radix === 2 || radix === 5) {
        // The small DFTs written out (±1 and ±i need no multiplication, 5 points need 8 instead of 25): the log-mel
        // of an hour runs 720 000 of these transforms, and the generic butterfly below cost twice as much.
        if (radix === 2) butterfly2(xRe, xIm, yRe, yIm, m, s, twRe, twIm);
        else if (radix === 4) butterfly4(xRe, xIm, yRe, yIm, m, s, twRe, twIm);
        else butterfly5(xRe, xIm, yRe, yIm, m, s, twRe, twIm);
        const tRe = xRe;
        const tIm = xIm;
        xRe = yRe;
        xIm = yIm;
        yRe = tRe;
        yIm = tIm;
        continue;
      }
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

/** Radix-2 stage of forward(): y[q + s(2p + j)] = tw(p, j) · Σ_k x[q + s(p + k m)] · (−1)^(jk). */
function butterfly2(
  xRe: Float64Array,
  xIm: Float64Array,
  yRe: Float64Array,
  yIm: Float64Array,
  m: number,
  s: number,
  twRe: Float64Array,
  twIm: Float64Array,
): void {
  for (let p = 0; p < m; p++) {
    const t1r = twRe[p * 2 + 1];
    const t1i = twIm[p * 2 + 1];
    for (let q = 0; q < s; q++) {
      const i0 = q + s * p;
      const i1 = i0 + s * m;
      const ar = xRe[i0];
      const ai = xIm[i0];
      const br = xRe[i1];
      const bi = xIm[i1];
      const o = q + s * 2 * p;
      yRe[o] = ar + br;
      yIm[o] = ai + bi;
      const dr = ar - br;
      const di = ai - bi;
      yRe[o + s] = dr * t1r - di * t1i;
      yIm[o + s] = dr * t1i + di * t1r;
    }
  }
}

/** Radix-4 stage of forward(), the 4-point DFT written out (its matrix holds only ±1 and ±i). */
function butterfly4(
  xRe: Float64Array,
  xIm: Float64Array,
  yRe: Float64Array,
  yIm: Float64Array,
  m: number,
  s: number,
  twRe: Float64Array,
  twIm: Float64Array,
): void {
  const sm = s * m;
  for (let p = 0; p < m; p++) {
    const b = p * 4;
    const t1r = twRe[b + 1];
    const t1i = twIm[b + 1];
    const t2r = twRe[b + 2];
    const t2i = twIm[b + 2];
    const t3r = twRe[b + 3];
    const t3i = twIm[b + 3];
    for (let q = 0; q < s; q++) {
      const i0 = q + s * p;
      const x0r = xRe[i0];
      const x0i = xIm[i0];
      const x1r = xRe[i0 + sm];
      const x1i = xIm[i0 + sm];
      const x2r = xRe[i0 + 2 * sm];
      const x2i = xIm[i0 + 2 * sm];
      const x3r = xRe[i0 + 3 * sm];
      const x3i = xIm[i0 + 3 * sm];
      const s02r = x0r + x2r;
      const s02i = x0i + x2i;
      const d02r = x0r - x2r;
      const d02i = x0i - x2i;
      const s13r = x1r + x3r;
      const s13i = x1i + x3i;
      const d13r = x1r - x3r;
      const d13i = x1i - x3i;
      // X0 = s02 + s13; X1 = d02 − i·d13; X2 = s02 − s13; X3 = d02 + i·d13
      const y1r = d02r + d13i;
      const y1i = d02i - d13r;
      const y2r = s02r - s13r;
      const y2i = s02i - s13i;
      const y3r = d02r - d13i;
      const y3i = d02i + d13r;
      const o = q + s * 4 * p;
      yRe[o] = s02r + s13r;
      yIm[o] = s02i + s13i;
      yRe[o + s] = y1r * t1r - y1i * t1i;
      yIm[o + s] = y1r * t1i + y1i * t1r;
      yRe[o + 2 * s] = y2r * t2r - y2i * t2i;
      yIm[o + 2 * s] = y2r * t2i + y2i * t2r;
      yRe[o + 3 * s] = y3r * t3r - y3i * t3i;
      yIm[o + 3 * s] = y3r * t3i + y3i * t3r;
    }
  }
}

const C1 = Math.cos((2 * Math.PI) / 5);
const C2 = Math.cos((4 * Math.PI) / 5);
const S1 = Math.sin((2 * Math.PI) / 5);
const S2 = Math.sin((4 * Math.PI) / 5);

/**
 * Radix-5 stage of forward(). With a1 = x1 + x4, b1 = x1 − x4, a2 = x2 + x3, b2 = x2 − x3:
 * X0 = x0 + a1 + a2; X1,4 = x0 + C1·a1 + C2·a2 ∓ i(S1·b1 + S2·b2); X2,3 = x0 + C2·a1 + C1·a2 ∓ i(S2·b1 − S1·b2).
 */
function butterfly5(
  xRe: Float64Array,
  xIm: Float64Array,
  yRe: Float64Array,
  yIm: Float64Array,
  m: number,
  s: number,
  twRe: Float64Array,
  twIm: Float64Array,
): void {
  const sm = s * m;
  for (let p = 0; p < m; p++) {
    const b = p * 5;
    for (let q = 0; q < s; q++) {
      const i0 = q + s * p;
      const x0r = xRe[i0];
      const x0i = xIm[i0];
      const a1r = xRe[i0 + sm] + xRe[i0 + 4 * sm];
      const a1i = xIm[i0 + sm] + xIm[i0 + 4 * sm];
      const b1r = xRe[i0 + sm] - xRe[i0 + 4 * sm];
      const b1i = xIm[i0 + sm] - xIm[i0 + 4 * sm];
      const a2r = xRe[i0 + 2 * sm] + xRe[i0 + 3 * sm];
      const a2i = xIm[i0 + 2 * sm] + xIm[i0 + 3 * sm];
      const b2r = xRe[i0 + 2 * sm] - xRe[i0 + 3 * sm];
      const b2i = xIm[i0 + 2 * sm] - xIm[i0 + 3 * sm];
      const m1r = x0r + C1 * a1r + C2 * a2r;
      const m1i = x0i + C1 * a1i + C2 * a2i;
      const m2r = x0r + C2 * a1r + C1 * a2r;
      const m2i = x0i + C2 * a1i + C1 * a2i;
      // −i·(u) = (u.im, −u.re)
      const n1r = S1 * b1r + S2 * b2r;
      const n1i = S1 * b1i + S2 * b2i;
      const n2r = S2 * b1r - S1 * b2r;
      const n2i = S2 * b1i - S1 * b2i;
      const outs = [x0r + a1r + a2r, x0i + a1i + a2i, m1r + n1i, m1i - n1r, m2r + n2i, m2i - n2r, m2r - n2i, m2i + n2r, m1r - n1i, m1i + n1r];
      const o = q + s * 5 * p;
      for (let j = 0; j < 5; j++) {
        const vr = outs[2 * j];
        const vi = outs[2 * j + 1];
        const tr = twRe[b + j];
        const ti = twIm[b + j];
        yRe[o + s * j] = vr * tr - vi * ti;
        yIm[o + s * j] = vr * ti + vi * tr;
      }
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
