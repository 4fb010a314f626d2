// Markdown: a title, a metadata list (file, duration, language, model), then the transcript.
// Without speakers: one line per segment, `[hh:mm:ss] text`. With speakers: consecutive segments of one
// speaker grouped under `**Speaker 1** [00:01:12]`. Text is escaped so it cannot turn into markup.
import * as path from 'path';
import type { SpeakerSummary, Transcript } from '../transcript';
import { cleanSegments, clockTime, humanDuration, oneLine, speakerNamer, speakerTurns } from './common';

/** One line (oneLine), with inline markup characters escaped, and block markers at its start. */
export function mdEscape(text: string): string {
  return oneLine(text)
    .replace(/([\\`*_[\]<>|~])/g, '\\$1')
    .replace(/^(\s*)([#+\-=>])/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/, '$1\\$2');
}

export function renderMarkdown(transcript: Transcript): string {
  const name = speakerNamer(transcript);
  const segments = cleanSegments(transcript);
  const file = path.basename(transcript.input);
  const out: string[] = [`# Transcript: ${mdEscape(file)}`, ''];
  out.push(`- **File:** ${mdEscape(transcript.input)}`);
  out.push(`- **Duration:** ${humanDuration(transcript.duration)}`);
  out.push(`- **Language:** ${mdEscape(transcript.language)}`);
  out.push(`- **Model:** ${mdEscape(transcript.model)} (${transcript.precision})`);
  if (transcript.speakers?.length) out.push(speakersLine(transcript.speakers));
  out.push('');
  if (segments.length === 0) {
    out.push('_No speech detected._', '');
    return out.join('\n');
  }
  if (!segments.some((s) => s.speaker)) {
    for (const seg of segments) out.push(`[${clockTime(seg.start)}] ${mdEscape(seg.text)}  `);
    out[out.length - 1] = out[out.length - 1].trimEnd();
    out.push('');
    return out.join('\n');
  }
  for (const turn of speakerTurns(segments)) {
    out.push(`**${mdEscape(name(turn.speaker) ?? 'Unknown speaker')}** [${clockTime(turn.start)}]`, mdEscape(turn.text), '');
  }
  return out.join('\n');
}

/** The header's list of speakers: `- **Speakers:** Ana, Speaker 2`. */
export function speakersLine(speakers: readonly SpeakerSummary[]): string {
  return `- **Speakers:** ${speakers.map((s) => mdEscape(s.name)).join(', ')}`;
}
