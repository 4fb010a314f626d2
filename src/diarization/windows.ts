// Sliding analysis windows over speech regions (samples at 16 kHz).
// Regions longer than a window get windows every `hop`, the last one aligned to the region end; regions
// shorter than a window but at least MIN_WINDOW_SECONDS long get one window, widened symmetrically into the
// surrounding audio up to `minLength` only when `widen` is set (the model needs a minimum context); regions
// shorter than MIN_WINDOW_SECONDS get no window and borrow the label of the nearest one (see turns.ts).
import { SAMPLE_RATE, type SpeechRegion } from '../vocabulary';

export const WINDOW_SECONDS = 1.5;
export const HOP_SECONDS = 0.75;
/** Below this, a region is too short for a reliable speaker embedding. */
export const MIN_WINDOW_SECONDS = 0.4;

export interface WindowPlan {
  /** Samples. */
  start: number;
  end: number;
  /** The part of the window that is speech of the region it came from (samples). */
  regionStart: number;
  regionEnd: number;
}

export interface WindowOptions {
  sampleRate?: number;
  window?: number;
  hop?: number;
  minWindow?: number;
  /** Total audio length (samples), to clamp widened windows. */
  length: number;
  /** Widen short regions to this many seconds of audio (0 = keep them short). */
  minLength?: number;
}

export function planWindows(speech: SpeechRegion[], o: WindowOptions): WindowPlan[] {
  const sr = o.sampleRate ?? SAMPLE_RATE;
  const win = Math.round((o.window ?? WINDOW_SECONDS) * sr);
  const hop = Math.round((o.hop ?? HOP_SECONDS) * sr);
  const minWin = Math.round((o.minWindow ?? MIN_WINDOW_SECONDS) * sr);
  const minLen = Math.round((o.minLength ?? 0) * sr);
  const out: WindowPlan[] = [];
  for (const r of speech) {
    const len = r.end - r.start;
    if (len < minWin) continue;
    if (len <= win) {
      let start = r.start;
      let end = r.end;
      if (end - start < minLen) {
        const extra = minLen - (end - start);
        start = Math.max(0, start - Math.floor(extra / 2));
        end = Math.min(o.length, start + minLen);
        start = Math.max(0, end - minLen);
      }
      out.push({ start, end, regionStart: r.start, regionEnd: r.end });
      continue;
    }
    let s = r.start;
    for (;;) {
      if (s + win >= r.end) {
        out.push({ start: r.end - win, end: r.end, regionStart: r.start, regionEnd: r.end });
        break;
      }
      out.push({ start: s, end: s + win, regionStart: r.start, regionEnd: r.end });
      s += hop;
    }
  }
  return out;
}
