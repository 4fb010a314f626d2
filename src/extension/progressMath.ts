// Engine progress (per component, 0–100 each) → one overall percent for a notification, never going
// backwards. Pure; VS Code's Progress takes increments, so `update` returns the increment to report.
import type { Component, ProgressEvent } from '../progress';

/** Share of the total per component; transcription dominates on CPU. Diarization only when requested. */
export function componentWeights(diarize: boolean): Record<Component, number> {
  return diarize ? { load: 5, decode: 5, vad: 5, transcription: 70, diarization: 15 } : { load: 5, decode: 10, vad: 5, transcription: 80, diarization: 0 };
}

export class OverallProgress {
  private readonly done: Partial<Record<Component, number>> = {};
  private reported = 0;
  private readonly weights: Record<Component, number>;

  constructor(diarize = false) {
    this.weights = componentWeights(diarize);
  }

  /** Folds one event in; returns the increment (≥ 0) since the last call and the new overall percent. */
  update(event: ProgressEvent): { increment: number; percent: number } {
    const p = Math.max(0, Math.min(100, event.percent));
    this.done[event.component] = Math.max(this.done[event.component] ?? 0, p);
    // load and decode run side by side; every later stage implies the earlier ones finished
    // (an engine may skip reporting some, e.g. no VAD model).
    const order: Component[] = ['load', 'decode', 'vad', 'transcription', 'diarization'];
    const idx = order.indexOf(event.component);
    if (idx >= 2) for (let i = 0; i < idx; i++) this.done[order[i]] = 100;
    let total = 0;
    for (const c of order) total += (this.weights[c] * (this.done[c] ?? 0)) / 100;
    const percent = Math.min(100, Math.floor(total));
    const increment = Math.max(0, percent - this.reported);
    this.reported = Math.max(this.reported, percent);
    return { increment, percent: this.reported };
  }

  get percent(): number {
    return this.reported;
  }
}
