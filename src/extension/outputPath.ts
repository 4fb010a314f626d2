// On a clash beside the media, "Keep both" picks "<name> (2).<ext>", "<name> (3).<ext>", ... (the name itself:
// src/output/mediaNames.ts). Pure (paths and a predicate), unit-tested without vscode.
import * as path from 'path';
import { formatSpec, type OutputFormat } from '../output/formats';

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
