// `--format rttm`: a transcript's speaker turns as NIST RTTM (one SPEAKER line per turn), the format
// diarization scorers (md-eval, pyannote.metrics, dscore) read. Segments without a speaker are left out.
import * as path from 'path';
import { writeRttm } from '../diarization/rttm';
import type { Turn } from '../diarization/types';
import type { Transcript } from '../transcript';

/** Gap (seconds) under which two consecutive pieces of the same speaker become one turn. */
export const RTTM_MERGE_GAP = 0.0;

/**
 * Speaker turns of a transcript: the diarization's own turns when it kept them (they do not depend on where
 * the text was cut into segments), else word times when every word has a speaker, else segment times.
 */
export function transcriptTurns(transcript: Transcript): Turn[] {
  if (transcript.turns?.length) return transcript.turns.map((t) => ({ ...t }));
  const pieces: Turn[] = [];
  for (const seg of transcript.segments) {
    const words = seg.words ?? [];
    if (words.length && words.every((w) => w.speaker)) {
      for (const w of words) pieces.push({ start: w.start, end: w.end, speaker: w.speaker! });
    } else if (seg.speaker) {
      pieces.push({ start: seg.start, end: seg.end, speaker: seg.speaker });
    }
  }
  pieces.sort((a, b) => a.start - b.start);
  const turns: Turn[] = [];
  for (const p of pieces) {
    const last = turns[turns.length - 1];
    if (last && last.speaker === p.speaker && p.start - last.end <= RTTM_MERGE_GAP) last.end = Math.max(last.end, p.end);
    else turns.push({ ...p });
  }
  return turns;
}

/** File id: the input's base name without extension, whitespace as underscores. */
export function renderRttm(transcript: Transcript): string {
  // RTTM fields are separated by spaces: a name's whitespace (and line breaks) would shift every column.
  const id =
    path
      .basename(transcript.input || 'audio')
      .replace(/\.[^.]*$/, '')
      .replace(/\s+/g, '_') || 'audio';
  return writeRttm(id, transcriptTurns(transcript));
}
