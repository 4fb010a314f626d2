// Renaming and merging speakers, in the transcript and in a document already written from it. The document is edited
// line by line where it still holds what TranscrevAI wrote (the turn headers "**Name** [hh:mm:ss]", the front
// matter's speakers, the participants table, the header's speaker list); every other character, and any line the
// person changed, stays as it is.
import type { SpeakerSummary, Transcript } from '../transcript';
import { mdEscape, speakersLine } from './markdown';
import { participantsTable, speakersFrontMatter } from './meetingNotes';

/** Renames a speaker (by id) in the transcript's summary: every later rendering uses the new name. */
export function renameSpeaker(transcript: Transcript, id: string, newName: string): Transcript {
  const clean = newName.replace(/\s+/g, ' ').trim();
  if (!clean) throw new Error('a speaker name cannot be empty');
  return { ...transcript, speakers: (transcript.speakers ?? []).map((s) => (s.id === id ? { ...s, name: clean } : s)) };
}

/** Two speakers who are one person: `from`'s segments and turns become `into`'s, their speaking time adds up. */
export function mergeSpeakers(transcript: Transcript, from: string, into: string): Transcript {
  if (from === into) return transcript;
  const speakers = transcript.speakers ?? [];
  const gone = speakers.find((s) => s.id === from);
  if (!gone || !speakers.some((s) => s.id === into)) throw new Error(`no speaker ${gone ? into : from} to merge`);
  const voices = transcript.voices && { ...transcript.voices, bySpeaker: { ...transcript.voices.bySpeaker } };
  if (voices) delete voices.bySpeaker[from];
  return {
    ...transcript,
    segments: transcript.segments.map((s) => (s.speaker === from ? { ...s, speaker: into } : s)),
    turns: transcript.turns?.map((t) => (t.speaker === from ? { ...t, speaker: into } : t)),
    speakers: speakers
      .filter((s) => s.id !== from)
      .map((s) => (s.id === into ? { ...s, speakingTime: Math.round((s.speakingTime + gone.speakingTime) * 1000) / 1000 } : s)),
    ...(voices && { voices }),
  };
}

export interface TextEdit {
  /** Character offsets in the document; `text` replaces [start, end). */
  start: number;
  end: number;
  text: string;
}

/**
 * The edits that take a document written from `before` to the speakers of `after`: only lines that are still exactly
 * as rendered from `before` change, so a person's corrections anywhere else survive.
 */
export function speakerDocumentEdits(document: string, before: Transcript, after: Transcript): TextEdit[] {
  const oldSpeakers = before.speakers ?? [];
  const newSpeakers = after.speakers ?? [];
  const newName = new Map<string, string>();
  for (const s of oldSpeakers) {
    const kept = newSpeakers.find((n) => n.id === s.id);
    // A merged speaker's turns take the name of the one it went into.
    newName.set(s.name, (kept ?? mergedInto(s, before, after))?.name ?? s.name);
  }
  const replaceLine = new Map<string, string | null>([
    [speakersFrontMatter(oldSpeakers), speakersFrontMatter(newSpeakers)],
    [speakersLine(oldSpeakers), speakersLine(newSpeakers)],
  ]);
  const oldTable = participantsTable(oldSpeakers).join('\n');
  const newTable = participantsTable(newSpeakers).join('\n');

  const edits: TextEdit[] = [];
  let offset = 0;
  for (const line of document.split('\n')) {
    const bare = line.replace(/\r$/, '');
    const header = /^\*\*(.+?)\*\* (\[\d{2,}:\d{2}:\d{2}\].*)$/.exec(bare);
    let text: string | undefined;
    if (replaceLine.has(bare)) text = replaceLine.get(bare)!;
    else if (header) {
      const old = oldSpeakers.find((s) => mdEscape(s.name) === header[1]);
      const name = old && newName.get(old.name);
      if (old && name !== undefined && name !== old.name) text = `**${mdEscape(name)}** ${header[2]}`;
    }
    if (text !== undefined && text !== bare) edits.push({ start: offset, end: offset + bare.length, text });
    offset += line.length + 1;
  }
  if (oldTable !== newTable && oldSpeakers.length) {
    const at = document.indexOf(oldTable);
    if (at >= 0) edits.push({ start: at, end: at + oldTable.length, text: newTable });
  }
  return edits.sort((a, b) => a.start - b.start);
}

/** The speaker `gone` was merged into: the one that now holds its segments. */
function mergedInto(gone: SpeakerSummary, before: Transcript, after: Transcript): SpeakerSummary | undefined {
  const index = before.segments.findIndex((s) => s.speaker === gone.id);
  const id = index >= 0 ? after.segments[index]?.speaker : undefined;
  return (after.speakers ?? []).find((s) => s.id === id);
}

/** Applies edits (sorted, not overlapping) to a text: what a WorkspaceEdit does to the document. */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  let out = '';
  let at = 0;
  for (const e of edits) {
    out += text.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + text.slice(at);
}
