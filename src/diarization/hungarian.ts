// Optimal one-to-one assignment (Kuhn–Munkres, O(n³)) on a rectangular matrix.
// Used by the DER scorer to map hypothesis speakers onto reference speakers, and by tests to compare labels.

/**
 * Returns for each row the column assigned to it (or -1 when there are more rows than columns) such that the
 * sum of `score[row][col]` is maximal.
 */
export function maximizeAssignment(score: number[][]): number[] {
  const rows = score.length;
  const cols = rows ? score[0].length : 0;
  if (!rows || !cols) return new Array<number>(rows).fill(-1);
  const n = Math.max(rows, cols);
  let max = 0;
  for (const r of score) for (const v of r) if (v > max) max = v;
  // Square cost matrix (1-indexed for the classic potentials formulation): cost = max - score, padding = max.
  const cost = (i: number, j: number): number => (i < rows && j < cols ? max - score[i][j] : max);
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const p = new Int32Array(n + 1); // p[j] = row matched to column j (1-indexed), 0 = none
  const way = new Int32Array(n + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(n + 1).fill(Infinity);
    const used = new Uint8Array(n + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const cur = cost(i0 - 1, j - 1) - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0);
  }
  const result = new Array<number>(rows).fill(-1);
  for (let j = 1; j <= n; j++) {
    const i = p[j] - 1;
    if (i >= 0 && i < rows && j - 1 < cols) result[i] = j - 1;
  }
  return result;
}
