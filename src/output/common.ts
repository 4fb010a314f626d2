// Helpers shared by the output formats: timestamps, speaker display names, line wrapping.
import type { Segment, Transcript } from '../transcript';

/** Splits seconds into whole h, m, s, ms (rounded to the millisecond; never negative). */
function parts(seconds: number): { h: number; m: number; s: number; ms: number } {
  const total = Math.max(0, Math.round((Number.isFinite(seconds) ? seconds : 0) * 1000));
  return { h: Math.floor(total / 3_600_000), m: Math.floor(total / 60_000) % 60, s: Math.floor(total / 1000) % 60, ms: total % 1000 };
}

const p2 = (n: number) => String(n).padStart(2, '0');
const p3 = (n: number) => String(n).padStart(3, '0');

/** `00:00:01,000` (SRT). Hours grow past 99 rather than wrap. */
export function srtTime(seconds: number): string {
  const { h, m, s, ms } = parts(seconds);
  return `${p2(h)}:${p2(m)}:${p2(s)},${p3(ms)}`;
}

/** `00:00:01.000` (WebVTT). */
export function vttTime(seconds: number): string {
  const { h, m, s, ms } = parts(seconds);
  return `${p2(h)}:${p2(m)}:${p2(s)}.${p3(ms)}`;
}

/** `00:01:12` (Markdown stamps), truncated to the second like a player clock. */
export function clockTime(seconds: number): string {
  const total = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds + 1e-6 : 0));
  return `${p2(Math.floor(total / 3600))}:${p2(Math.floor(total / 60) % 60)}:${p2(total % 60)}`;
}

/** Human duration: `1 h 02 min 03 s`, `4 min 05 s`, `11.0 s`. */
export function humanDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor(total / 60) % 60;
  const s = total % 60;
  return h ? `${h} h ${p2(m)} min ${p2(s)} s` : `${m} min ${p2(s)} s`;
}

/** Display name of a speaker id: the transcript's summary name if any, else the id itself. */
export function speakerNamer(transcript: Transcript): (id: string | undefined) => string | undefined {
  // A name is typed by a person (rename): on one line, so it cannot end a subtitle cue or a Markdown block.
  const names = new Map((transcript.speakers ?? []).map((s) => [s.id, oneLine(s.name)]));
  return (id) => (id === undefined ? undefined : (names.get(id) ?? id));
}

/** Collapses whitespace (newlines included) to single spaces and trims. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Segments with their text on one line; empty ones dropped. */
export function cleanSegments(transcript: Transcript): Segment[] {
  return transcript.segments.map((s) => ({ ...s, text: oneLine(s.text) })).filter((s) => s.text.length > 0);
}

/** Runs of consecutive segments by one speaker: each turn's speaker, start and joined text. */
export function speakerTurns(segments: Segment[]): { speaker: string | undefined; start: number; text: string }[] {
  const turns: { speaker: string | undefined; start: number; text: string }[] = [];
  for (const seg of segments) {
    const last = turns[turns.length - 1];
    if (last && last.speaker === seg.speaker) last.text += ' ' + seg.text;
    else turns.push({ speaker: seg.speaker, start: seg.start, text: seg.text });
  }
  return turns;
}

/** Greedy word wrap at `width` characters; a word longer than the width stays whole on its own line. */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ').filter(Boolean)) {
    if (!line) line = word;
    else if (line.length + 1 + word.length <= width) line += ' ' + word;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

export interface Cue {
  start: number;
  end: number;
  lines: string[];
}

/** Subtitle conventions: at most 2 lines of 42 characters per cue (BBC / Netflix guidelines). */
export const SUBTITLE_LINE_WIDTH = 42;
export const SUBTITLE_MAX_LINES = 2;

/**
 * Splits a segment's text into cues of at most SUBTITLE_MAX_LINES lines, dividing the segment's time
 * among them in proportion to their characters, so long segments stay readable on screen.
 */
export function subtitleCues(start: number, end: number, text: string, width = SUBTITLE_LINE_WIDTH, maxLines = SUBTITLE_MAX_LINES): Cue[] {
  const lines = wrapWords(text, width);
  if (lines.length <= maxLines) return [{ start, end, lines }];
  const groups: string[][] = [];
  for (let i = 0; i < lines.length; i += maxLines) groups.push(lines.slice(i, i + maxLines));
  const weights = groups.map((g) => g.join(' ').length);
  const total = weights.reduce((a, b) => a + b, 0);
  const span = Math.max(0, end - start);
  const cues: Cue[] = [];
  let t = start;
  groups.forEach((g, i) => {
    const next = i === groups.length - 1 ? end : Math.round((t + (span * weights[i]) / total) * 1000) / 1000;
    cues.push({ start: t, end: next, lines: g });
    t = next;
  });
  return cues;
}

/** How a transcript is rendered, beyond its format. */
export interface RenderOptions {
  /** SRT/VTT: one cue per timed word (segments without words keep their phrase cues). */
  wordCues?: boolean;
}

/** A cue per timed word of the segment when asked for and it has words; else null. */
export function wordCues(seg: Segment, options: RenderOptions): Cue[] | null {
  const words = options.wordCues ? (seg.words ?? []).filter((w) => w.text.trim()) : [];
  return words.length ? words.map((w) => ({ start: w.start, end: Math.max(w.end, w.start), lines: [oneLine(w.text)] })) : null;
}

/** A segment's subtitle cues: its words one by one when asked and timed, else its text wrapped. */
export function segmentCues(seg: Segment, options: RenderOptions = {}): Cue[] {
  return wordCues(seg, options) ?? subtitleCues(seg.start, seg.end, seg.text);
}
