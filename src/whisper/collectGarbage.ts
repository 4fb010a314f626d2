// Decoding turns over a lot of short-lived typed arrays: each decoder step returns the logits and the whole
// self-attention cache as new arrays (up to 17 MB a step for base at full context), and V8 collects them only
// when its external-memory heuristics say so: between collections the resident size climbs by hundreds of MB.
// The replaced self-attention caches are freed as each step ends (releaseNow.ts); the rest (a window's encoder
// output and cross-attention cache, the logits) waits for a collection.
// Where the process was started with --expose-gc (the engine's children are), a collection at a natural pause
// (after a model load, after each 30 s window) keeps it flat; elsewhere this does nothing. (Minor collections after
// every decoder step were tried: they promote the live cache arrays to the old generation, and the peak rose by
// 150 MB.)
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
