// What the Problems list needs of a transcript once VS Code restarts: its segments' words with their
// probabilities and the decoder's figures, kept in the extension's global storage under a name derived from the
// document's path (never beside the document: the person's folder holds only what they asked for).
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { Segment } from '../transcript';
import { writeOutputFile } from './writeOutput';

const FOLDER = 'confidence';

/** Only what confidence needs: times, text, words and the decoder's figures. */
function trimmed(segments: readonly Segment[]): Segment[] {
  return segments.map((s) => ({
    start: s.start,
    end: s.end,
    text: s.text,
    ...(s.words && { words: s.words.map((w) => ({ start: w.start, end: w.end, text: w.text, probability: w.probability })) }),
    ...(s.avgLogprob !== undefined && { avgLogprob: s.avgLogprob }),
    ...(s.noSpeechProb !== undefined && { noSpeechProb: s.noSpeechProb }),
    ...(s.compressionRatio !== undefined && { compressionRatio: s.compressionRatio }),
  }));
}

function fileFor(storage: string, document: string): string {
  return path.join(storage, FOLDER, crypto.createHash('sha256').update(document).digest('hex').slice(0, 32) + '.json');
}

export function writeConfidence(storage: string, document: string, segments: readonly Segment[]): void {
  const file = fileFor(storage, document);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeOutputFile(file, JSON.stringify({ version: 1, document, segments: trimmed(segments) }), []);
}

/** The segments kept for `document`, or undefined (never kept, or unreadable: no marks, nothing else lost). */
export function readConfidence(storage: string, document: string): Segment[] | undefined {
  try {
    const data = JSON.parse(fs.readFileSync(fileFor(storage, document), 'utf8')) as { document?: string; segments?: Segment[] };
    return data.document === document && Array.isArray(data.segments) ? data.segments : undefined;
  } catch {
    return undefined;
  }
}
