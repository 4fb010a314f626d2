// Reading our own Markdown back: the recording a transcript or meeting notes document is about, and the
// `[hh:mm:ss]` stamps of its turns, so a stamp in the document can play the audio at that time. vscode-free.
import * as path from 'path';

export interface Stamp {
  line: number;
  /** Character offsets of "[hh:mm:ss]" on its line. */
  start: number;
  end: number;
  seconds: number;
}

/** Every line's first stamp (a stamp-like text inside a turn's words counts too). */
export function stampsOf(markdown: string): Stamp[] {
  const out: Stamp[] = [];
  markdown.split(/\r?\n/).forEach((text, line) => {
    const m = /\[(\d{2,}):([0-5]\d):([0-5]\d)\]/.exec(text);
    if (m) out.push({ line, start: m.index, end: m.index + m[0].length, seconds: Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) });
  });
  return out;
}

/**
 * The recording of one of our documents: a transcript's "- **File:** <path>" (Markdown-escaped), or meeting notes'
 * front matter "recording: "<name>"" (beside the notes). Undefined for any other document.
 */
export function recordingOf(markdown: string, documentPath: string | undefined): string | undefined {
  const head = markdown.slice(0, 4000);
  const file = /^- \*\*File:\*\* (.+)$/m.exec(head);
  if (file && /^# Transcript: /m.test(head)) return file[1].replace(/\\(.)/g, '$1');
  const recording = /^---\r?\n(?:.*\r?\n)*?recording: (".*")\r?\n(?:.*\r?\n)*?---/.exec(head);
  if (recording && documentPath) {
    try {
      return path.join(path.dirname(documentPath), path.basename(JSON.parse(recording[1]) as string));
    } catch {
      return undefined;
    }
  }
  return undefined;
}
