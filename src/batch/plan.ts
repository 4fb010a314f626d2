// A batch of recordings, planned before any work: the inputs (files, and the media inside folders, recursively),
// sorted so every machine sees the same list; this shard's share of it (--shard K/N: the sorted inputs whose index
// i has i mod N = K-1, so N shards cover every input exactly once, whatever runs them); and each input's transcript
// (beside it, or under --out-dir with the input's path below its folder kept, so two "intro.mp3" in two folders
// never meet). Pure apart from reading folders, so it is unit-tested alone.
import * as fs from 'fs';
import * as path from 'path';
import { TranscrevError } from '../errors';
import type { OutputFormat } from '../output/formats';
import { isMediaFile, transcriptName } from '../output/mediaNames';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export interface BatchItem {
  input: string;
  output: string;
}

/** "2/4" → {index 2, count 4}; a usage error otherwise. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new TranscrevError('usage', `--shard: expected K/N with 1 ≤ K ≤ N (for example 1/4), got "${text}"`);
  }
  return { index, count };
}

/**
 * Every input as [the file, the folder it was named through]: a file stands for itself (its own folder), a folder
 * for the media below it (hidden files and folders skipped; symbolic links to folders not followed, so a link
 * cannot loop). Missing inputs are a usage error before any work; the list is sorted by path, duplicates dropped.
 */
export function expandInputs(inputs: readonly string[]): { file: string; root: string }[] {
  const found = new Map<string, string>();
  for (const input of inputs) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(input);
    } catch {
      throw new TranscrevError('usage', `no such file or folder: ${input}`);
    }
    if (!stat.isDirectory()) {
      if (!found.has(input)) found.set(input, path.dirname(input));
      continue;
    }
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (entry.name.startsWith('.')) continue;
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if ((entry.isFile() || entry.isSymbolicLink()) && isMediaFile(entry.name) && !found.has(full)) found.set(full, input);
      }
    };
    walk(input);
  }
  return [...found].map(([file, root]) => ({ file, root })).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** This shard's share of the sorted list. */
export function shardOf<T>(sorted: readonly T[], shard: Shard | undefined): T[] {
  return shard ? sorted.filter((_, i) => i % shard.count === shard.index - 1) : [...sorted];
}

/** Where each input's transcript goes: beside it, or under `outDir` at its path below the folder it came from. */
export function planOutputs(files: readonly { file: string; root: string }[], format: OutputFormat, outDir?: string): BatchItem[] {
  const items = files.map(({ file, root }) => {
    const name = transcriptName(file, format);
    const output = outDir ? path.join(outDir, path.dirname(path.relative(root, file)), name) : path.join(path.dirname(file), name);
    return { input: file, output };
  });
  // Two inputs that would write one transcript ("talk.mp3" and "talk.wav" side by side): the second keeps its
  // extension in the name, so neither overwrites the other.
  const taken = new Set<string>();
  for (const item of items) {
    if (taken.has(item.output)) {
      const ext = path.extname(item.output);
      item.output = `${item.output.slice(0, -ext.length)}.${path.extname(item.input).slice(1)}${ext}`;
    }
    taken.add(item.output);
  }
  return items;
}
