// Meeting notes as Markdown: YAML front matter (title, date, start/end time, duration, language, model, speakers,
// recording), a participants table with speaking time, then the transcript grouped by speaker turns with
// [hh:mm:ss] stamps, and a link to the kept recording. Speaker names come from transcript.speakers, so renaming
// a speaker there and rendering again changes the name everywhere. Every transcript string is escaped.
import * as path from 'path';
import type { SpeakerSummary, Transcript } from '../transcript';
import { cleanSegments, clockTime, speakerNamer, speakerTurns } from './common';
import { mdEscape } from './markdown';

export interface MeetingInfo {
  /** When recording started. */
  startedAt: Date;
  title?: string;
  /** The kept recording; linked relative to the notes file when `notesPath` is given. */
  recording?: string;
  notesPath?: string;
}

const p2 = (n: number) => String(n).padStart(2, '0');
const localDate = (d: Date) => `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}`;
const localTime = (d: Date) => `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
/** A YAML scalar that is always a string (JSON strings are valid YAML). */
const yaml = (s: string) => JSON.stringify(s);

/**
 * Link target for a file: relative to the notes, each path segment percent-encoded, so a name with spaces,
 * parentheses, "#" or "?" (which encodeURI leaves alone, making them a fragment or a query) still links to it.
 */
function linkTo(file: string, from?: string): string {
  const rel = from ? path.relative(path.dirname(from), file) : file;
  return rel
    .split(path.sep)
    .map((part) => encodeURIComponent(part).replace(/\(/g, '%28').replace(/\)/g, '%29'))
    .join('/');
}

export function renderMeetingNotes(transcript: Transcript, info: MeetingInfo): string {
  const name = speakerNamer(transcript);
  const segments = cleanSegments(transcript);
  const end = new Date(info.startedAt.getTime() + transcript.duration * 1000);
  const title = info.title ?? `Meeting ${localDate(info.startedAt)} ${localTime(info.startedAt).slice(0, 5)}`;
  const speakers = transcript.speakers ?? [];
  const front = [
    '---',
    `title: ${yaml(title)}`,
    `date: ${localDate(info.startedAt)}`,
    `start: ${yaml(localTime(info.startedAt))}`,
    `end: ${yaml(localTime(end))}`,
    `duration: ${yaml(clockTime(transcript.duration))}`,
    `language: ${yaml(transcript.language)}`,
    `model: ${yaml(`${transcript.model} (${transcript.precision})`)}`,
    speakersFrontMatter(speakers),
    ...(info.recording ? [`recording: ${yaml(path.basename(info.recording))}`] : []),
    '---',
    '',
  ];
  const out = [...front, `# ${mdEscape(title)}`, ''];
  if (speakers.length) out.push(...participantsTable(speakers), '');
  out.push('## Transcript', '');
  if (!segments.length) out.push('_No speech was recorded._', '');
  for (const turn of speakerTurns(segments)) {
    const who = turn.speaker ? `**${mdEscape(name(turn.speaker) ?? turn.speaker)}** ` : '';
    out.push(`${who}[${clockTime(turn.start)}]`, mdEscape(turn.text), '');
  }
  for (const w of transcript.warnings ?? []) out.push(`> ${mdEscape(w)}`, '');
  if (info.recording) out.push(`Recording: [${mdEscape(path.basename(info.recording))}](${linkTo(info.recording, info.notesPath)})`, '');
  return out.join('\n');
}

/** The front matter's speakers line: `speakers: ["Ana", "Speaker 2"]`. */
export function speakersFrontMatter(speakers: readonly SpeakerSummary[]): string {
  return `speakers: [${speakers.map((s) => yaml(s.name)).join(', ')}]`;
}

/** The participants table, most speaking time first, with each one's share. */
export function participantsTable(speakers: readonly SpeakerSummary[]): string[] {
  const total = speakers.reduce((t, s) => t + s.speakingTime, 0) || 1;
  return [
    '| Participant | Speaking time | Share |',
    '|---|---|---|',
    ...[...speakers]
      .sort((a, b) => b.speakingTime - a.speakingTime)
      .map((s) => `| ${mdEscape(s.name)} | ${clockTime(s.speakingTime)} | ${Math.round((100 * s.speakingTime) / total)} % |`),
  ];
}
