// Plain text: one segment per line; with speakers, consecutive segments of one speaker form a paragraph
// that starts with `Name: `.
import type { Transcript } from '../transcript';
import { cleanSegments, speakerNamer } from './common';

export function renderTxt(transcript: Transcript): string {
  const name = speakerNamer(transcript);
  const segments = cleanSegments(transcript);
  if (!segments.some((s) => s.speaker)) return segments.map((s) => s.text + '\n').join('');
  const paragraphs: string[] = [];
  let current: string | undefined;
  let texts: string[] = [];
  const flush = () => {
    if (texts.length) paragraphs.push((current ? `${name(current)}: ` : '') + texts.join(' '));
    texts = [];
  };
  for (const seg of segments) {
    if (seg.speaker !== current) {
      flush();
      current = seg.speaker;
    }
    texts.push(seg.text);
  }
  flush();
  return paragraphs.join('\n\n') + (paragraphs.length ? '\n' : '');
}
