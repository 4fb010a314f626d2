// Window labels → speaker turns.
// 1. Resolve overlapping windows: each speech frame (10 ms) takes the label of the covering window whose
//    centre is nearest (the boundary between two overlapping windows falls in the middle of their overlap).
// 2. Speech frames no window covers (regions too short to embed) take the label of the nearest labelled frame.
// 3. Smooth: a run shorter than MIN_TURN_SECONDS between runs of other labels is absorbed by its longer neighbour.
// 4. Merge adjacent frames of one speaker into turns; silence between speech regions stays silence.
import type { Turn } from './types';

export const FRAME_SECONDS = 0.01;
/** Turns shorter than this, inside continuous speech, are treated as clustering noise. */
export const MIN_TURN_SECONDS = 0.5;

export interface LabelledWindow {
  /** Seconds. */
  start: number;
  end: number;
  label: number;
}

export interface TurnOptions {
  minTurn?: number;
  /** Label → speaker id (default: SPEAKER_<label+1>). */
  names?: (label: number) => string;
}

export function windowsToTurns(windows: LabelledWindow[], speech: { start: number; end: number }[], options: TurnOptions = {}): Turn[] {
  const minTurn = options.minTurn ?? MIN_TURN_SECONDS;
  const name = options.names ?? ((l: number) => `SPEAKER_${l + 1}`);
  if (!speech.length) return [];
  const endTime = Math.max(...speech.map((r) => r.end), ...windows.map((w) => w.end));
  const nFrames = Math.ceil(endTime / FRAME_SECONDS);
  const isSpeech = new Uint8Array(nFrames);
  for (const r of speech) {
    for (let f = Math.floor(r.start / FRAME_SECONDS); f < Math.min(nFrames, Math.ceil(r.end / FRAME_SECONDS)); f++) isSpeech[f] = 1;
  }
  const label = new Int32Array(nFrames).fill(-1);
  const bestDist = new Float64Array(nFrames).fill(Infinity);
  for (const w of windows) {
    const centre = (w.start + w.end) / 2;
    const f0 = Math.max(0, Math.floor(w.start / FRAME_SECONDS));
    const f1 = Math.min(nFrames, Math.ceil(w.end / FRAME_SECONDS));
    for (let f = f0; f < f1; f++) {
      if (!isSpeech[f]) continue;
      const d = Math.abs((f + 0.5) * FRAME_SECONDS - centre);
      if (d < bestDist[f]) {
        bestDist[f] = d;
        label[f] = w.label;
      }
    }
  }
  // Unlabelled speech frames: nearest labelled frame (forward/backward sweep).
  const prevLab = new Int32Array(nFrames).fill(-1);
  const prevPos = new Int32Array(nFrames).fill(-1);
  let lastL = -1;
  let lastP = -1;
  for (let f = 0; f < nFrames; f++) {
    if (label[f] >= 0) {
      lastL = label[f];
      lastP = f;
    }
    prevLab[f] = lastL;
    prevPos[f] = lastP;
  }
  let nextL = -1;
  let nextP = -1;
  for (let f = nFrames - 1; f >= 0; f--) {
    if (label[f] >= 0) {
      nextL = label[f];
      nextP = f;
      continue;
    }
    if (!isSpeech[f]) continue;
    const dp = prevPos[f] >= 0 ? f - prevPos[f] : Infinity;
    const dn = nextP >= 0 ? nextP - f : Infinity;
    if (dp === Infinity && dn === Infinity) label[f] = 0;
    else label[f] = dp <= dn ? prevLab[f] : nextL;
  }
  // Runs of speech frames (silence breaks runs).
  type Run = { start: number; end: number; label: number };
  const runs: Run[] = [];
  for (let f = 0; f < nFrames; f++) {
    if (!isSpeech[f]) continue;
    const last = runs[runs.length - 1];
    if (last && last.end === f && last.label === label[f]) last.end = f + 1;
    else runs.push({ start: f, end: f + 1, label: label[f] });
  }
  // Smooth short runs sandwiched in continuous speech.
  const minFrames = Math.round(minTurn / FRAME_SECONDS);
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = 0; i < runs.length; i++) {
      const r = runs[i];
      if (r.end - r.start >= minFrames) continue;
      const prev = i > 0 && runs[i - 1].end === r.start ? runs[i - 1] : undefined;
      const next = i + 1 < runs.length && runs[i + 1].start === r.end ? runs[i + 1] : undefined;
      const target = prev && next ? (prev.end - prev.start >= next.end - next.start ? prev : next) : (prev ?? next);
      if (!target || target.label === r.label) continue;
      r.label = target.label;
      changed = true;
    }
    // merge touching equal labels
    for (let i = runs.length - 1; i > 0; i--) {
      if (runs[i - 1].end === runs[i].start && runs[i - 1].label === runs[i].label) {
        runs[i - 1].end = runs[i].end;
        runs.splice(i, 1);
      }
    }
  }
  return runs.map((r) => ({
    start: round3(r.start * FRAME_SECONDS),
    end: round3(r.end * FRAME_SECONDS),
    speaker: name(r.label),
  }));
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
