// Diarization error rate, the standard (NIST md-eval) definition:
//   DER = (missed + false alarm + confusion) / total reference speech
// - Time is split at every reference/hypothesis/UEM/collar boundary; inside each piece with N_ref reference
//   speakers and N_hyp hypothesis speakers: total += N_ref·d, missed += max(0, N_ref−N_hyp)·d,
//   false alarm += max(0, N_hyp−N_ref)·d, confusion += (min(N_ref, N_hyp) − N_correct)·d, where N_correct
//   counts reference speakers whose mapped hypothesis speaker is also active. Overlapped speech therefore
//   counts once per reference speaker.
// - The hypothesis→reference speaker mapping is one-to-one and maximises total co-occurrence time
//   (Hungarian assignment), computed on the scored time only.
// - Collar: `collar` seconds on EACH side of every reference turn boundary are not scored (md-eval's
//   `-c 0.25`; pyannote's `collar=0.5` is the same thing, it gives the total width).
// - UEM: only time inside the given regions is scored (default: everything).
import { maximizeAssignment } from './hungarian';
import type { Region, Turn } from './types';

/** md-eval's customary forgiveness around reference boundaries, per side (seconds). */
export const DEFAULT_COLLAR = 0.25;

export interface DerOptions {
  /** Seconds excluded on each side of each reference boundary. Default 0.25. */
  collar?: number;
  /** Scored regions; default: the whole timeline. */
  uem?: Region[];
}

export interface DerResult {
  der: number;
  /** Seconds of reference speech scored (overlap counted per speaker). */
  total: number;
  missed: number;
  falseAlarm: number;
  confusion: number;
  /** hypothesis label → reference label (labels without a partner are absent). */
  mapping: Map<string, string>;
}

/** Merges overlapping or touching intervals. */
export function mergeRegions(regions: Region[]): Region[] {
  const sorted = regions.filter((r) => r.end > r.start).sort((a, b) => a.start - b.start);
  const out: Region[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ start: r.start, end: r.end });
  }
  return out;
}

function inside(t: number, regions: Region[]): boolean {
  for (const r of regions) if (t >= r.start && t < r.end) return true;
  return false;
}

export function diarizationErrorRate(reference: Turn[], hypothesis: Turn[], options: DerOptions = {}): DerResult {
  const collar = options.collar ?? DEFAULT_COLLAR;
  const noScore: Region[] = [];
  if (collar > 0) {
    for (const t of reference) {
      noScore.push({ start: t.start - collar, end: t.start + collar });
      noScore.push({ start: t.end - collar, end: t.end + collar });
    }
  }
  const unscored = mergeRegions(noScore);
  const uem = options.uem ? mergeRegions(options.uem) : undefined;

  const cuts = new Set<number>();
  for (const t of [...reference, ...hypothesis]) {
    cuts.add(t.start);
    cuts.add(t.end);
  }
  for (const r of unscored) {
    cuts.add(r.start);
    cuts.add(r.end);
  }
  for (const r of uem ?? []) {
    cuts.add(r.start);
    cuts.add(r.end);
  }
  const points = [...cuts].sort((a, b) => a - b);

  const refLabels = [...new Set(reference.map((t) => t.speaker))];
  const hypLabels = [...new Set(hypothesis.map((t) => t.speaker))];
  const refIndex = new Map(refLabels.map((l, i) => [l, i]));
  const hypIndex = new Map(hypLabels.map((l, i) => [l, i]));

  // Elementary pieces with who is active in each.
  interface Piece {
    d: number;
    ref: number[];
    hyp: number[];
  }
  const pieces: Piece[] = [];
  for (let k = 0; k + 1 < points.length; k++) {
    const a = points[k];
    const b = points[k + 1];
    const d = b - a;
    if (d <= 0) continue;
    const mid = (a + b) / 2;
    if (uem && !inside(mid, uem)) continue;
    if (inside(mid, unscored)) continue;
    const ref = new Set<number>();
    const hyp = new Set<number>();
    for (const t of reference) if (t.start <= mid && mid < t.end) ref.add(refIndex.get(t.speaker)!);
    for (const t of hypothesis) if (t.start <= mid && mid < t.end) hyp.add(hypIndex.get(t.speaker)!);
    if (ref.size || hyp.size) pieces.push({ d, ref: [...ref], hyp: [...hyp] });
  }

  // Co-occurrence matrix hyp × ref, then the optimal one-to-one mapping.
  const co = hypLabels.map(() => new Array<number>(refLabels.length).fill(0));
  for (const p of pieces) for (const h of p.hyp) for (const r of p.ref) co[h][r] += p.d;
  const assign = maximizeAssignment(co);
  const mapping = new Map<string, string>();
  assign.forEach((r, h) => {
    if (r >= 0 && co[h][r] > 0) mapping.set(hypLabels[h], refLabels[r]);
  });

  let total = 0;
  let missed = 0;
  let falseAlarm = 0;
  let confusion = 0;
  for (const p of pieces) {
    const nRef = p.ref.length;
    const nHyp = p.hyp.length;
    let correct = 0;
    for (const h of p.hyp) {
      const r = assign[h];
      if (r >= 0 && co[h][r] > 0 && p.ref.includes(r)) correct++;
    }
    total += nRef * p.d;
    missed += Math.max(0, nRef - nHyp) * p.d;
    falseAlarm += Math.max(0, nHyp - nRef) * p.d;
    confusion += (Math.min(nRef, nHyp) - correct) * p.d;
  }
  const errors = missed + falseAlarm + confusion;
  const der = total > 0 ? errors / total : errors > 0 ? Infinity : 0;
  return { der, total, missed, falseAlarm, confusion, mapping };
}

/** Sums the components over several files (the corpus-level DER is a ratio of sums, not a mean of ratios). */
export function aggregateDer(results: DerResult[]): Omit<DerResult, 'mapping'> {
  const s = { total: 0, missed: 0, falseAlarm: 0, confusion: 0 };
  for (const r of results) {
    s.total += r.total;
    s.missed += r.missed;
    s.falseAlarm += r.falseAlarm;
    s.confusion += r.confusion;
  }
  const errors = s.missed + s.falseAlarm + s.confusion;
  return { der: s.total > 0 ? errors / s.total : 0, ...s };
}
