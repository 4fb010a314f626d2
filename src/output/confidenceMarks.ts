// Where a transcript's unsure words and suspect phrases are in its Markdown document, which the person may have
// edited since: each word is looked for in order, a little after the previous one, as a whole word. A word they
// corrected is not found and gets no mark; the rest keep theirs. vscode-free: the extension turns the marks into
// diagnostics.
import type { Segment } from '../transcript';
import { isUnsure, suspectSegments, UNSURE_PROBABILITY } from './confidence';
import { mdEscape } from './markdown';
import { stampsOf } from './stamps';

export interface ConfidenceMark {
  kind: 'unsure' | 'suspect';
  line: number;
  /** Character range on `line` (a suspect phrase is marked on its first line only). */
  start: number;
  end: number;
  /** The span of the recording to play. */
  from: number;
  to: number;
  message: string;
}

/** How far after the previous word the next one may be (a speaker line and a stamp fit in between). */
const LOOKAHEAD = 400;

const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);

/** The offset of `needle` as a whole word in `text` between `from` and `from + LOOKAHEAD`, or -1. */
function findWord(text: string, needle: string, from: number): number {
  if (!needle) return -1;
  let at = text.indexOf(needle, from);
  while (at >= 0 && at <= from + LOOKAHEAD) {
    const before = text[at - 1];
    const after = text[at + needle.length];
    if (!(isWordChar(needle[0]) && isWordChar(before)) && !(isWordChar(needle[needle.length - 1]) && isWordChar(after))) return at;
    at = text.indexOf(needle, at + 1);
  }
  return -1;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return starts;
}

function position(starts: number[], offset: number): { line: number; character: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: offset - starts[lo] };
}

export function confidenceMarks(markdown: string, segments: readonly Segment[], threshold = UNSURE_PROBABILITY): ConfidenceMark[] {
  const stamps = stampsOf(markdown);
  if (!stamps.length) return [];
  const starts = lineStarts(markdown);
  let cursor = starts[stamps[0].line];
  const suspects = new Map(suspectSegments(segments).map((s) => [s.segment, s.reason]));
  const marks: ConfidenceMark[] = [];
  segments.forEach((segment, index) => {
    const found: { at: number; length: number }[] = [];
    for (const word of segment.words ?? []) {
      const text = word.text.trim();
      const needles = [mdEscape(text), text];
      let at = -1;
      let needle = '';
      for (const n of needles) {
        at = findWord(markdown, n, cursor);
        needle = n;
        if (at >= 0) break;
      }
      if (at < 0) continue;
      cursor = at + needle.length;
      found.push({ at, length: needle.length });
      if (isUnsure(word, threshold)) {
        const p = position(starts, at);
        marks.push({
          kind: 'unsure',
          line: p.line,
          start: p.character,
          end: p.character + needle.length,
          from: word.start,
          to: word.end,
          message: `Whisper was unsure of “${text}” (probability ${Math.round(word.probability * 100)} %). Listen to it.`,
        });
      }
    }
    const reason = suspects.get(index);
    if (!reason) return;
    let first = found[0]?.at;
    let last = found.length ? found[found.length - 1].at + found[found.length - 1].length : undefined;
    if (first === undefined) {
      // No word timings: the phrase's opening words locate it.
      const head = mdEscape(segment.text.trim()).slice(0, 40);
      const at = findWord(markdown, head, cursor);
      if (at < 0) return;
      first = at;
      last = at + head.length;
      cursor = last;
    }
    const p = position(starts, first);
    const lineEnd = (starts[p.line + 1] ?? markdown.length + 1) - 1;
    marks.push({
      kind: 'suspect',
      line: p.line,
      start: p.character,
      end: Math.min(last!, lineEnd) - starts[p.line],
      from: segment.start,
      to: segment.end,
      message: reason,
    });
  });
  return marks;
}
