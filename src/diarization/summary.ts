// Speaker numbering and speaking time, shared by every diarization method.
import type { SpeakerSummary } from '../transcript';
import { speakerName } from './speakerName';
import type { Turn } from './types';

/** SPEAKER_1, SPEAKER_2, ... in order of first appearance, with no gaps (smoothing may remove a label). */
export function renumber(turns: Turn[]): Turn[] {
  const map = new Map<string, string>();
  for (const t of turns) if (!map.has(t.speaker)) map.set(t.speaker, `SPEAKER_${map.size + 1}`);
  return turns.map((t) => ({ ...t, speaker: map.get(t.speaker)! }));
}

/** Speaking time per speaker, ordered by id number. */
export function summarize(turns: Turn[]): SpeakerSummary[] {
  const time = new Map<string, number>();
  for (const t of turns) time.set(t.speaker, (time.get(t.speaker) ?? 0) + (t.end - t.start));
  return [...time.entries()]
    .map(([id, speakingTime]) => ({ id, name: speakerName(id), speakingTime: Math.round(speakingTime * 1000) / 1000 }))
    .sort((a, b) => Number(a.id.replace(/\D/g, '')) - Number(b.id.replace(/\D/g, '')));
}
