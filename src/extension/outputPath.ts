// Where a transcript goes: next to the media as <name>.<ext>; on a clash "Keep both" picks
// "<name> (2).<ext>", "<name> (3).<ext>", ... Pure (paths and a predicate), unit-tested without vscode.
import * as path from 'path';
import { formatSpec, type OutputFormat } from '../output/formats';

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

/** "talk.md" → "talk (2).md", the first n ≥ 2 for which `exists` is false. */
export function keepBothName(name: string, exists: (candidate: string) => boolean, limit = 10_000): string {
  const ext = path.posix.extname(name);
  const stem = ext ? name.slice(0, -ext.length) : name;
  for (let n = 2; n < limit; n++) {
    const candidate = `${stem} (${n})${ext}`;
    if (!exists(candidate)) return candidate;
  }
  throw new Error(`No free name for ${name}`);
}

/** Async variant for vscode.workspace.fs. */
export async function keepBothNameAsync(name: string, exists: (candidate: string) => Promise<boolean>, limit = 10_000): Promise<string> {
  const ext = path.posix.extname(name);
  const stem = ext ? name.slice(0, -ext.length) : name;
  for (let n = 2; n < limit; n++) {
    const candidate = `${stem} (${n})${ext}`;
    if (!(await exists(candidate))) return candidate;
  }
  throw new Error(`No free name for ${name}`);
}

/** Language of the untitled document used when the transcript cannot be written to disk. */
export function languageIdFor(format: OutputFormat): string {
  return formatSpec(format).languageId;
}
