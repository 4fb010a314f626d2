// From clustered local speakers back to the timeline (pyannote's reconstruct + to_diarization + Binarize): each
// chunk says which speakers of the recording talk at each of its frames; summed over the chunks, the `count[g]`
// speakers with the most support at global frame g are the ones talking there. Turns run between frame middles.
import type { Turn } from '../types';
import { frameMiddle, type ChunkPlan } from './chunks';
import { INACTIVE } from './clusterLocalSpeakers';

/** Global frames × speakers, 1 where that speaker talks. */
export function reconstruct(
  plan: ChunkPlan,
  activity: Uint8Array,
  localSpeakers: number,
  clusters: Int32Array,
  speakers: number,
  count: Uint8Array,
): Uint8Array {
  const F = plan.framesPerChunk;
  const K = localSpeakers;
  const G = plan.totalFrames;
  const support = new Float32Array(G * speakers);
  const seen = new Int32Array(speakers).fill(-1); // frame (chunk-major) at which a speaker was last counted
  plan.starts.forEach((_, c) => {
    const g0 = plan.firstFrame[c];
    for (let f = 0; f < F && g0 + f < G; f++) {
      const stamp = c * F + f;
      // A speaker's activity in the chunk is the max over the local speakers mapped to it (pyannote's choice):
      // each chunk adds at most 1 per speaker and frame.
      for (let k = 0; k < K; k++) {
        const s = clusters[c * K + k];
        if (s === INACTIVE || s < 0 || !activity[stamp * K + k] || seen[s] === stamp) continue;
        seen[s] = stamp;
        support[(g0 + f) * speakers + s] += 1;
      }
    }
  });
  const binary = new Uint8Array(G * speakers);
  const order = Array.from({ length: speakers }, (_, s) => s);
  for (let g = 0; g < G; g++) {
    const n = Math.min(count[g] ?? 0, speakers);
    if (!n) continue;
    // Most support first; ties to the lower speaker number (stable sort).
    const ranked = order.slice().sort((a, b) => support[g * speakers + b] - support[g * speakers + a]);
    for (let i = 0; i < n; i++) binary[g * speakers + ranked[i]] = 1;
  }
  return binary;
}

/** Each speaker's runs of active frames as turns (seconds), cut at `endSeconds`; sorted by start, then speaker. */
export function binaryToTurns(plan: ChunkPlan, binary: Uint8Array, speakers: number, frames: number, endSeconds: number, label: (s: number) => string): Turn[] {
  const turns: Turn[] = [];
  for (let s = 0; s < speakers; s++) {
    let on = -1;
    for (let g = 0; g <= frames; g++) {
      const active = g < frames && binary[g * speakers + s] === 1;
      if (active && on < 0) on = g;
      else if (!active && on >= 0) {
        const start = frameMiddle(plan, on);
        const end = Math.min(endSeconds, frameMiddle(plan, g));
        if (end > start) turns.push({ start: round3(start), end: round3(end), speaker: label(s) });
        on = -1;
      }
    }
  }
  return turns.sort((a, b) => a.start - b.start || a.speaker.localeCompare(b.speaker, 'en', { numeric: true }));
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
