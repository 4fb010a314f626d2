// SubRip (.srt): numbered cues, `00:00:01,000 --> 00:00:04,500`, blank line between cues.
// SRT has no escaping: a blank line would end the cue and `-->` would read as a timing line, so text is
// kept on non-empty lines and `-->` is written as `->`. Speakers are a `Name: ` prefix.
import type { Transcript } from '../transcript';
import { cleanSegments, type RenderOptions, speakerNamer, srtTime, subtitleCues, wordCues } from './common';

export function srtText(text: string): string {
  return text.replace(/-->/g, '->');
}

export function renderSrt(transcript: Transcript, options: RenderOptions = {}): string {
  const name = speakerNamer(transcript);
  const blocks: string[] = [];
  for (const seg of cleanSegments(transcript)) {
    const speaker = name(seg.speaker);
    const prefix = speaker ? `${speaker}: ` : '';
    // The speaker prefixes the segment's first cue: with word cues its first word, else the phrase (wrapped with it).
    const words = wordCues(seg, options);
    const cues = words ?? subtitleCues(seg.start, seg.end, prefix + seg.text);
    cues.forEach((cue, i) => {
      const lines = words && i === 0 ? [prefix + cue.lines[0]] : cue.lines;
      blocks.push(`${blocks.length + 1}\n${srtTime(cue.start)} --> ${srtTime(cue.end)}\n${lines.map(srtText).join('\n')}\n`);
    });
  }
  return blocks.join('\n');
}
