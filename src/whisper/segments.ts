// Turns one window's sampled tokens into timed segments and tells how far to move the seek,
// as openai/whisper transcribe.py does after each window:
//  - consecutive timestamp pairs <|a|><|b|> close a segment; text between pairs is one segment;
//  - a window ending in a single timestamp was complete → advance a whole window;
//  - otherwise the unfinished tail is re-decoded: seek moves to the last closed timestamp;
//  - with no pair at all, the window is one segment ending at its last timestamp (or window end).
import { TIME_PRECISION } from './logits';

/** Mel frames per timestamp step: 0.02 s / 0.01 s. */
export const FRAMES_PER_TIMESTAMP = 2;

export interface TokenSegment {
  /** Seconds from the window start. */
  start: number;
  end: number;
  /** All tokens of the segment, timestamps included. */
  tokens: number[];
  /** Where they start among the window's tokens. */
  from: number;
}

export function splitWindow(tokens: readonly number[], timestampBegin: number, windowFrames: number): { segments: TokenSegment[]; seekFrames: number } {
  const isTs = (t: number) => t >= timestampBegin;
  const windowSeconds = (windowFrames * TIME_PRECISION) / FRAMES_PER_TIMESTAMP;
  const n = tokens.length;
  const singleTimestampEnding = n >= 2 && !isTs(tokens[n - 2]) && isTs(tokens[n - 1]);
  const consecutive: number[] = [];
  for (let i = 1; i < n; i++) if (isTs(tokens[i - 1]) && isTs(tokens[i])) consecutive.push(i);

  const segments: TokenSegment[] = [];
  if (consecutive.length > 0) {
    const slices = [...consecutive];
    if (singleTimestampEnding) slices.push(n);
    let last = 0;
    for (const cut of slices) {
      const slice = tokens.slice(last, cut);
      segments.push({
        start: (slice[0] - timestampBegin) * TIME_PRECISION,
        end: (slice[slice.length - 1] - timestampBegin) * TIME_PRECISION,
        tokens: slice,
        from: last,
      });
      last = cut;
    }
    if (singleTimestampEnding) return { segments, seekFrames: windowFrames };
    const lastTimestampPos = tokens[last - 1] - timestampBegin;
    const seekFrames = lastTimestampPos * FRAMES_PER_TIMESTAMP;
    // Never stand still (a zero advance would re-decode the same window forever).
    return { segments, seekFrames: seekFrames > 0 ? seekFrames : windowFrames };
  }
  let duration = windowSeconds;
  const timestamps = tokens.filter(isTs);
  if (timestamps.length > 0 && timestamps[timestamps.length - 1] !== timestampBegin) {
    duration = (timestamps[timestamps.length - 1] - timestampBegin) * TIME_PRECISION;
  }
  segments.push({ start: 0, end: duration, tokens: [...tokens], from: 0 });
  return { segments, seekFrames: windowFrames };
}
