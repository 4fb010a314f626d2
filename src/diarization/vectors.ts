// Small dense-vector helpers (embeddings are Float32Array rows).

export type Vector = Float32Array;

export function dot(a: Vector, b: Vector): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** L2-normalises in place (zero vectors stay zero) and returns the vector. */
export function l2normalize(v: Vector): Vector {
  const n = Math.sqrt(dot(v, v));
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}

export function cosineSimilarity(a: Vector, b: Vector): number {
  const d = Math.sqrt(dot(a, a) * dot(b, b));
  return d > 0 ? dot(a, b) / d : 0;
}

/** Row-major n×n cosine similarity matrix. */
export function cosineMatrix(x: Vector[]): Float64Array {
  const n = x.length;
  const unit = x.map((v) => l2normalize(Float32Array.from(v)));
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    m[i * n + i] = 1;
    for (let j = i + 1; j < n; j++) {
      const s = dot(unit[i], unit[j]);
      m[i * n + j] = s;
      m[j * n + i] = s;
    }
  }
  return m;
}

export function mean(rows: Vector[], dim = rows[0]?.length ?? 0): Float32Array {
  const m = new Float32Array(dim);
  for (const r of rows) for (let i = 0; i < dim; i++) m[i] += r[i];
  if (rows.length) for (let i = 0; i < dim; i++) m[i] /= rows.length;
  return m;
}

/** Relabels so clusters are numbered 0.. in order of first appearance. */
export function canonicalLabels(labels: ArrayLike<number>): number[] {
  const map = new Map<number, number>();
  const out: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    if (!map.has(labels[i])) map.set(labels[i], map.size);
    out.push(map.get(labels[i])!);
  }
  return out;
}
