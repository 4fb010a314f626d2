// Speaker turns → transcript segments.
// - A segment gets the speaker it overlaps most; with no overlap, the nearest turn's speaker (within
//   MAX_NEAREST_SECONDS), else none.
// - Words with times get their own speaker the same way; a segment whose words change speaker is split at
//   those changes (text and times from the words).
// - Without word times, a segment spanning a speaker change (each side ≥ MIN_SPLIT_SECONDS) is split at the
//   change and its text divided in proportion to the pieces' durations, on word boundaries.
import type { Segment, Word } from '../transcript';
import type { Turn } from './types';

export const MIN_SPLIT_SECONDS = 1.0;
export const MAX_NEAREST_SECONDS = 2.0;

function overlapBySpeaker(start: number, end: number, turns: Turn[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of turns) {
    const o = Math.min(end, t.end) - Math.max(start, t.start);
    if (o > 0) m.set(t.speaker, (m.get(t.speaker) ?? 0) + o);
  }
  return m;
}

export function speakerAt(start: number, end: number, turns: Turn[]): string | undefined {
  let best: string | undefined;
  let bestO = 0;
  for (const [s, o] of overlapBySpeaker(start, end, turns))
    if (o > bestO) {
      bestO = o;
      best = s;
    }
  if (best) return best;
  let nearest: string | undefined;
  let nd = MAX_NEAREST_SECONDS;
  for (const t of turns) {
    const d = t.end <= start ? start - t.end : t.start >= end ? t.start - end : 0;
    if (d <= nd) {
      nd = d;
      nearest = t.speaker;
    }
  }
  return nearest;
}

function joinWords(words: Word[]): string {
  const spaced = words.some((w) => /^\s/.test(w.text));
  return (spaced ? words.map((w) => w.text).join('') : words.map((w) => w.text).join(' ')).trim();
}

/** Returns new segments (the input is not modified). */
export function assignSpeakers(segments: Segment[], turns: Turn[]): Segment[] {
  const out: Segment[] = [];
  for (const seg of segments) {
    if (seg.words && seg.words.length) out.push(...splitByWords(seg, turns));
    else out.push(...splitByTurns(seg, turns));
  }
  return out;
}

function splitByWords(seg: Segment, turns: Turn[]): Segment[] {
  const words = seg.words!.map((w) => ({ ...w, speaker: speakerAt(w.start, w.end, turns) }));
  // Words without a speaker inherit their neighbour's.
  for (let i = 0; i < words.length; i++) if (!words[i].speaker) words[i].speaker = words[i - 1]?.speaker;
  for (let i = words.length - 2; i >= 0; i--) if (!words[i].speaker) words[i].speaker = words[i + 1].speaker;
  const groups: Word[][] = [];
  for (const w of words) {
    const g = groups[groups.length - 1];
    if (g && g[0].speaker === w.speaker) g.push(w);
    else groups.push([w]);
  }
  if (groups.length === 1) return [{ ...seg, speaker: groups[0][0].speaker ?? speakerAt(seg.start, seg.end, turns), words }];
  return groups.map((g, i) => ({
    ...seg,
    start: i === 0 ? seg.start : g[0].start,
    end: i === groups.length - 1 ? seg.end : g[g.length - 1].end,
    text: joinWords(g),
    speaker: g[0].speaker,
    words: g,
  }));
}

function splitByTurns(seg: Segment, turns: Turn[]): Segment[] {
  // Pieces: turns clipped to the segment, same speaker merged, short pieces absorbed by neighbours.
  const clipped = turns
    .map((t) => ({ start: Math.max(seg.start, t.start), end: Math.min(seg.end, t.end), speaker: t.speaker }))
    .filter((t) => t.end > t.start)
    .sort((a, b) => a.start - b.start);
  const pieces: Turn[] = [];
  for (const c of clipped) {
    const last = pieces[pieces.length - 1];
    if (last && last.speaker === c.speaker) last.end = Math.max(last.end, c.end);
    else if (last && c.start < last.end) {
      // overlapping speech: the earlier speaker keeps its time, the later starts where it ends
      if (c.end > last.end) pieces.push({ start: last.end, end: c.end, speaker: c.speaker });
    } else pieces.push({ ...c });
  }
  for (let i = 0; i < pieces.length;) {
    if (pieces.length > 1 && pieces[i].end - pieces[i].start < MIN_SPLIT_SECONDS) {
      const prev = pieces[i - 1];
      const next = pieces[i + 1];
      const target = prev && next ? (prev.end - prev.start >= next.end - next.start ? prev : next) : (prev ?? next)!;
      target.start = Math.min(target.start, pieces[i].start);
      target.end = Math.max(target.end, pieces[i].end);
      pieces.splice(i, 1);
      // merge same-speaker neighbours created by the removal
      for (let j = pieces.length - 1; j > 0; j--)
        if (pieces[j - 1].speaker === pieces[j].speaker) {
          pieces[j - 1].end = Math.max(pieces[j - 1].end, pieces[j].end);
          pieces.splice(j, 1);
        }
      i = 0;
    } else i++;
  }
  if (pieces.length <= 1) return [{ ...seg, speaker: pieces[0]?.speaker ?? speakerAt(seg.start, seg.end, turns) }];
  // Boundaries: at turn changes; gaps split at the midpoint; the first/last piece reach the segment edges.
  const cuts = [seg.start];
  for (let i = 1; i < pieces.length; i++) cuts.push((pieces[i - 1].end + pieces[i].start) / 2);
  cuts.push(seg.end);
  const tokens = seg.text.trim().split(/\s+/).filter(Boolean);
  const total = seg.end - seg.start;
  const result: Segment[] = [];
  let used = 0;
  for (let i = 0; i < pieces.length; i++) {
    const upto = i === pieces.length - 1 ? tokens.length : Math.round((tokens.length * (cuts[i + 1] - seg.start)) / total);
    const text = tokens.slice(used, Math.max(used, upto)).join(' ');
    used = Math.max(used, upto);
    if (!text) {
      // no words left for this piece: its time goes to the previous piece
      if (result.length) result[result.length - 1].end = cuts[i + 1];
      continue;
    }
    result.push({ ...seg, start: cuts[i], end: cuts[i + 1], text, speaker: pieces[i].speaker });
  }
  if (result.length && result[0].start !== seg.start) result[0].start = seg.start;
  return result.length ? result : [{ ...seg, speaker: pieces[0].speaker }];
}
