// Where the segmentation model looks and how its frames line up on the recording's timeline (pyannote.audio's
// Inference.slide and Inference.aggregate, written for our sizes): fixed-length chunks every `step` samples, the
// last one padded with silence so the end of the recording is seen too; each chunk's output frames are placed on
// one global frame grid (frame g starts at g × frameStep seconds) at the frame nearest to the chunk's start.

/** One output frame of the segmentation model: its receptive field in seconds (segmentation.json "frame"). */
export interface FrameGeometry {
  /** Offset of frame 0 from the chunk start, seconds. */
  start: number;
  duration: number;
  step: number;
}

export interface ChunkPlan {
  /** Chunk length, samples. */
  chunkSamples: number;
  /** Chunk starts, samples (ascending; the last chunk may reach past the end and is padded with zeros). */
  starts: number[];
  /** Frames the model outputs per chunk. */
  framesPerChunk: number;
  /** Global frame at which each chunk's frame 0 lands. */
  firstFrame: number[];
  /** Frames on the global grid (covers every chunk). */
  totalFrames: number;
  frame: FrameGeometry;
  sampleRate: number;
}

/** numpy's rint: halves go to the even neighbour (pyannote rounds frame positions and speaker counts with it). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function planChunks(
  samples: number,
  options: { chunkSamples: number; stepSamples: number; framesPerChunk: number; frame: FrameGeometry; sampleRate: number },
): ChunkPlan {
  const { chunkSamples, stepSamples, framesPerChunk, frame, sampleRate } = options;
  const starts: number[] = [];
  if (samples > 0) {
    const full = samples >= chunkSamples ? Math.floor((samples - chunkSamples) / stepSamples) + 1 : 0;
    for (let k = 0; k < full; k++) starts.push(k * stepSamples);
    // A tail the full chunks do not reach (or a recording shorter than one chunk) gets one more, padded chunk.
    if (full === 0 || (samples - chunkSamples) % stepSamples > 0) starts.push(full * stepSamples);
  }
  // pyannote: closest_frame(chunk.start + ½ frame duration) on a grid starting at 0 = rint(chunk.start / step).
  const firstFrame = starts.map((s) => roundHalfEven(s / sampleRate / frame.step));
  const last = starts.length ? starts[starts.length - 1] : 0;
  const totalFrames = starts.length
    ? Math.max(roundHalfEven((last + chunkSamples) / sampleRate / frame.step) + 1, firstFrame[firstFrame.length - 1] + framesPerChunk)
    : 0;
  return { chunkSamples, starts, framesPerChunk, firstFrame, totalFrames, frame, sampleRate };
}

/** Time of global frame g's middle, seconds (where pyannote's Binarize places region edges). */
export function frameMiddle(plan: ChunkPlan, g: number): number {
  return plan.frame.start + g * plan.frame.step + plan.frame.duration / 2;
}

/** Global frames whose middle lies inside the recording (the grid also covers the padded tail of the last chunk). */
export function framesInside(plan: ChunkPlan, samples: number): number {
  const seconds = samples / plan.sampleRate;
  let n = plan.totalFrames;
  while (n > 0 && frameMiddle(plan, n - 1) >= seconds) n--;
  return n;
}

/**
 * Per-chunk values (chunks × framesPerChunk × classes, NaN = not defined in that chunk) summed onto the global
 * grid, and averaged over the chunks that define each frame unless `sum` (pyannote's skip_average). Frames no chunk
 * defines are 0.
 */
export function aggregate(plan: ChunkPlan, values: Float32Array, classes: number, options: { sum?: boolean } = {}): Float32Array {
  const { framesPerChunk, totalFrames } = plan;
  const out = new Float32Array(totalFrames * classes);
  const count = new Float32Array(totalFrames * classes);
  plan.starts.forEach((_, c) => {
    const base = c * framesPerChunk * classes;
    const g0 = plan.firstFrame[c];
    for (let f = 0; f < framesPerChunk; f++) {
      const g = g0 + f;
      if (g >= totalFrames) break;
      for (let k = 0; k < classes; k++) {
        const v = values[base + f * classes + k];
        if (Number.isNaN(v)) continue;
        out[g * classes + k] += v;
        count[g * classes + k] += 1;
      }
    }
  });
  if (!options.sum) for (let i = 0; i < out.length; i++) out[i] = count[i] > 0 ? out[i] / count[i] : 0;
  return out;
}

/**
 * Speakers talking at each global frame: the local speaker counts of the chunks that see the frame, averaged and
 * rounded half to even (pyannote's speaker_count with no warm-up), at most `max`.
 */
export function speakerCount(plan: ChunkPlan, activity: Uint8Array, localSpeakers: number, max = Infinity): Uint8Array {
  const perChunk = new Float32Array(plan.starts.length * plan.framesPerChunk);
  for (let i = 0; i < perChunk.length; i++) {
    let s = 0;
    for (let k = 0; k < localSpeakers; k++) s += activity[i * localSpeakers + k];
    perChunk[i] = s;
  }
  const mean = aggregate(plan, perChunk, 1);
  const out = new Uint8Array(mean.length);
  for (let g = 0; g < mean.length; g++) out[g] = Math.min(max, roundHalfEven(mean[g]));
  return out;
}
