// RTTM (NIST Rich Transcription Time Marked) and UEM (un-partitioned evaluation map) text formats.
// RTTM line: SPEAKER <file> <chan> <start> <duration> <NA> <NA> <speaker> <NA> <NA>
// UEM line:  <file> <chan> <start> <end>
import type { Region, Turn } from './types';

export interface RttmTurn extends Turn {
  file: string;
}

/** Parses SPEAKER lines; other record types and comments (;;) are skipped. */
export function parseRttm(text: string): RttmTurn[] {
  const out: RttmTurn[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith(';;')) continue;
    const f = line.split(/\s+/);
    if (f[0] !== 'SPEAKER' || f.length < 8) continue;
    const start = Number(f[3]);
    const dur = Number(f[4]);
    if (!Number.isFinite(start) || !Number.isFinite(dur)) throw new Error(`Bad RTTM line: ${line}`);
    out.push({ file: f[1], start, end: start + dur, speaker: f[7] });
  }
  return out;
}

/** Turns of one file, grouped by file id. */
export function groupByFile(turns: RttmTurn[]): Map<string, Turn[]> {
  const map = new Map<string, Turn[]>();
  for (const t of turns) {
    const list = map.get(t.file) ?? [];
    list.push({ start: t.start, end: t.end, speaker: t.speaker });
    map.set(t.file, list);
  }
  return map;
}

/** Writes SPEAKER lines, sorted by start time, with millisecond precision. */
export function writeRttm(file: string, turns: Turn[]): string {
  const id = file.replace(/\s+/g, '_') || 'audio';
  return [...turns]
    .filter((t) => t.end > t.start)
    .sort((a, b) => a.start - b.start || a.end - b.end)
    .map((t) => `SPEAKER ${id} 1 ${t.start.toFixed(3)} ${(t.end - t.start).toFixed(3)} <NA> <NA> ${t.speaker.replace(/\s+/g, '_')} <NA> <NA>\n`)
    .join('');
}

/** Parses UEM lines into scored regions per file. */
export function parseUem(text: string): Map<string, Region[]> {
  const map = new Map<string, Region[]>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith(';;')) continue;
    const f = line.split(/\s+/);
    if (f.length < 4) continue;
    const list = map.get(f[0]) ?? [];
    list.push({ start: Number(f[2]), end: Number(f[3]) });
    map.set(f[0], list);
  }
  return map;
}
