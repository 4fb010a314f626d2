// How much of each neighbour an affinity row keeps, by similarity rank (rank 0 = the point itself).
//
// p-pruning used to keep the `keep` most similar neighbours at full weight and drop the rest: a hard cut. When
// the similarities at ranks keep−1 and keep are nearly equal, which of the two neighbours survives — a whole
// edge of weight ~0.7 switched on or off — depends on the last digits of the embeddings. Those move with the
// window placement (a few ms of leading silence re-draws every window, since windows start at VAD boundaries on
// Silero's 32 ms grid), and on the 12–30-window graphs of a short recording one such edge moves the Laplacian's
// small eigenvalues enough to flip the eigengap's speaker count (shared AMI excerpts: 1 ↔ 2 ↔ 5 speakers from
// 10 ms of silence).
//
// Here the cut is instead averaged over cut-offs from keep − fade to keep + fade: the nearest neighbours keep
// full weight and the weight then falls linearly to zero, so a swap of two neighbouring ranks changes an edge by
// 1 / (2·fade + 1) of its similarity rather than all of it. The weights still add up to `keep` (while the
// ramp fits inside the row), so the calibrated neighbour count (DEFAULT_PVAL, MIN_PNUM, MAX_PNUM) keeps its meaning.

/** Half-width of the ramp as a fraction of `keep`: the cut-off is uncertain by about as much as it is large. */
export const NEIGHBOUR_FADE_FRACTION = 0.5;

/** Weight of each similarity rank 0..n−1 for a row that keeps `keep` neighbours on average. */
export function neighbourWeights(n: number, keep: number, fadeFraction = NEIGHBOUR_FADE_FRACTION): Float64Array {
  const w = new Float64Array(n);
  // The point itself (rank 0) always keeps full weight.
  const fade = Math.max(0, Math.min(keep - 1, Math.round(fadeFraction * keep)));
  for (let r = 0; r < n; r++) w[r] = Math.max(0, Math.min(1, (keep + fade - r) / (2 * fade + 1)));
  return w;
}
