// Counts clipped samples while audio streams past (float32 little-endian bytes, in chunks of any length).
// Silero VAD misjudges clipped speech: on JFK raised by 40 dB (67 % of samples at full scale) it kept 4.4 s of
// the 11 s and the first sentence was lost; scaling the level back down does not undo clipping (6.4 s kept).
// So a clipped recording is transcribed whole instead, and the user is told (pipeline.ts). Real recordings in
// the shared test data have no sample at |x| ≥ 0.99.

/** |x| at or above this counts as clipped (full scale, allowing for codecs that stop just short of it). */
export const CLIP_LEVEL = 0.99;
/** Share of clipped samples from which voice detection is not trusted. */
export const CLIPPED_SHARE_LIMIT = 0.01;

export class ClipMeter {
  clipped = 0;
  samples = 0;
  private carry = Buffer.alloc(0);

  add(chunk: Buffer): void {
    const bytes = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const whole = bytes.length - (bytes.length % 4);
    for (let at = 0; at < whole; at += 4) if (Math.abs(bytes.readFloatLE(at)) >= CLIP_LEVEL) this.clipped++;
    this.samples += whole / 4;
    this.carry = Buffer.from(bytes.subarray(whole));
  }
}

/** The warning when `clipped` of `samples` is too much for the VAD, else undefined. */
export function clippingWarning(clipped: number, samples: number): string | undefined {
  if (samples === 0 || clipped / samples < CLIPPED_SHARE_LIMIT) return undefined;
  return `${((100 * clipped) / samples).toFixed(1)} % of the audio is clipped (recorded too loud): voice detection is unreliable on it, so the whole recording was transcribed.`;
}
