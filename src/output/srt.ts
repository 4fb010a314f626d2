// SubRip (.srt): numbered cues, `00:00:01,000 --> 00:00:04,500`, blank line between cues.
// SRT has no escaping: a blank line would end the cue and `-->` would read as a timing line, so text is
// kept on non-empty lines and `-->` is written as `->`. Speakers are a `Name: ` prefix.
import type { Transcript } from '../transcript';
import { cleanSegments, type RenderOptions, segmentCues, speakerNamer, srtTime } from './common';

export function srtText(text: string): string {
  return text.replace(/-->/g, '->');
}

export function renderSrt(transcript: Transcript, options: RenderOptions = {}): string {
  const name = speakerNamer(transcript);
  const blocks: string[] = [];
  for (const seg of cleanSegments(transcript)) {
    const speaker = name(seg.speaker);
    // The speaker prefixes the segment's first cue (with word cues, not every word).
    const cues = segmentCues({ ...seg, text: (speaker ? `${speaker}: ` : '') + seg.text }, options);
    cues.forEach((cue, i) => {
      const lines = cue.lines.map(srtText);
      if (speaker && i === 0 && options.wordCues && seg.words?.length) lines[0] = `${speaker}: ${lines[0]}`;
      blocks.push(`${blocks.length + 1}\n${srtTime(cue.start)} --> ${srtTime(cue.end)}\n${lines.join('\n')}\n`);
    });
  }
  return blocks.join('\n');
}
