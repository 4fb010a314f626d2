// A vocabulary is the list of names and words a person wants spelled right. It comes from the
// `transcrevai.vocabulary` setting (commas), the workspace's `.transcrevai/vocabulary.txt` (a term per line,
// `#` comments) or the CLI's `--vocabulary` (text, or @file); Whisper reads the terms, joined by commas, at the head
// of every window's prompt (src/whisper/decode.ts).
import * as fs from 'fs';
import * as path from 'path';

/** The workspace's vocabulary file, relative to a workspace folder. */
export const WORKSPACE_VOCABULARY_FILE = path.join('.transcrevai', 'vocabulary.txt');

/** The terms of a vocabulary text: split at line breaks and commas, `#` comments and blanks dropped. */
export function vocabularyTerms(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*$/, ''))
    .flatMap((line) => line.split(/[,;]/))
    .map((term) => term.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
}

/** The prompt text of several vocabularies: their terms in order, each once (ignoring case), or undefined when none. */
export function vocabularyPrompt(...texts: (string | undefined)[]): string | undefined {
  const seen = new Set<string>();
  const terms: string[] = [];
  for (const term of texts.flatMap((t) => (t ? vocabularyTerms(t) : []))) {
    const key = term.toLocaleLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    terms.push(term);
  }
  return terms.length ? terms.join(', ') : undefined;
}

/** A vocabulary file's text, or undefined when there is none (any other read error is the caller's to report). */
export function readVocabularyFile(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
