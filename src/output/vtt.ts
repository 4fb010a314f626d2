// WebVTT (.vtt): `WEBVTT` header, `00:00:01.000 --> 00:00:04.500` cues. Cue text escapes `&`, `<`, `>`
// (so `-->` becomes `--&gt;`, which the spec forbids raw), and speakers use the voice tag `<v Name>`.
import type { Transcript } from '../transcript';
import { cleanSegments, type RenderOptions, segmentCues, speakerNamer, vttTime } from './common';

export function vttEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A voice tag's annotation cannot contain `>` or a newline; `&` and `<` are escaped like text. */
function voiceName(name: string): string {
  return vttEscape(name).replace(/\s+/g, ' ');
}

export function renderVtt(transcript: Transcript, options: RenderOptions = {}): string {
  const name = speakerNamer(transcript);
  const out = ['WEBVTT', ''];
  for (const seg of cleanSegments(transcript)) {
    const speaker = name(seg.speaker);
    for (const cue of segmentCues(seg, options)) {
      const lines = cue.lines.map(vttEscape);
      if (speaker) lines[0] = `<v ${voiceName(speaker)}>${lines[0]}`;
      out.push(`${vttTime(cue.start)} --> ${vttTime(cue.end)}`, ...lines, '');
    }
  }
  return out.join('\n');
}
