// SubRip (.srt): numbered cues, `00:00:01,000 --> 00:00:04,500`, blank line between cues.
// SRT has no escaping: a blank line would end the cue and `-->` would read as a timing line, so text is
// kept on non-empty lines and `-->` is written as `->`. Speakers are a `Name: ` prefix.
import type { Transcript } from '../transcript';
import { cleanSegments, speakerNamer, srtTime, subtitleCues } from './common';

export function srtText(text: string): string {
  return text.replace(/-->/g, '->');
}

export function renderSrt(transcript: Transcript): string {
  const name = speakerNamer(transcript);
  const blocks: string[] = [];
  for (const seg of cleanSegments(transcript)) {
    const speaker = name(seg.speaker);
    const text = srtText((speaker ? `${speaker}: ` : '') + seg.text);
    for (const cue of subtitleCues(seg.start, seg.end, text)) {
      blocks.push(`${blocks.length + 1}\n${srtTime(cue.start)} --> ${srtTime(cue.end)}\n${cue.lines.join('\n')}\n`);
    }
  }
  return blocks.join('\n');
}
