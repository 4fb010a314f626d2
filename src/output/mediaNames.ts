// Which files are media, and what a transcript beside one is called: shared by the extension's commands and the
// CLI's batch, which must agree (a batch skips a file whose transcript the extension wrote, and the reverse).
import * as path from 'path';
import { formatSpec, type OutputFormat } from './formats';

/** Media the commands accept (file picker filter, explorer `when` clause). */
export const MEDIA_EXTENSIONS = ['wav', 'mp3', 'mp4', 'm4a', 'ogg', 'webm', 'flac', 'mkv'] as const;

export function isMediaFile(file: string): boolean {
  const ext = path.extname(file).slice(1).toLowerCase();
  return (MEDIA_EXTENSIONS as readonly string[]).includes(ext);
}

/** "talk.mp3" + md → "talk.md" (works on fs paths and on URI paths with posix separators). */
export function transcriptName(mediaName: string, format: OutputFormat): string {
  const base = path.posix.basename(mediaName.replace(/\\/g, '/'));
  const ext = path.posix.extname(base);
  const stem = ext ? base.slice(0, -ext.length) : base;
  const name = `${stem}${formatSpec(format).extension}`;
  // A recording whose extension is the format's ("talk.json") would otherwise be offered for overwriting.
  return name.toLowerCase() === base.toLowerCase() ? `${stem}.transcript${formatSpec(format).extension}` : name;
}
