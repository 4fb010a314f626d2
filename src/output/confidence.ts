// What in a transcript deserves a second listen: words Whisper was unsure of (their probability), and segments
// that look invented (a phrase repeated in a loop, a segment repeating the one before, text that compresses like
// a loop, text over what the decoder itself judged to be silence). Pure: the panel underlines the first, the
// extension lists both in Problems (Information and Warning).
import type { Segment, Word } from '../transcript';

/**
 * Below this probability (the mean of the word's tokens', as openai/whisper and faster-whisper give it) a word is
 * "unsure". Chosen on the shared PT-BR clips (bench/words.ts, docs/words.md): the lowest threshold at which the
 * unsure words hold most of the wrong ones (60 % of them, with 56 % of the unsure words wrong against 17 % of all);
 * at 0.5 they held only a quarter.
 */
export const UNSURE_PROBABILITY = 0.7;

/** A phrase of at least this many words said this many times in a row is a loop. */
const LOOP_MIN_WORDS = 2;
const LOOP_MIN_REPEATS = 3;
/** openai/whisper's compression_ratio_threshold: text that compresses better than this is repetitive. */
const COMPRESSION_RATIO_LIMIT = 2.4;

/** A word Whisper was unsure of: its probability below the threshold (a word without one is not judged). */
export function isUnsure(word: Word, threshold = UNSURE_PROBABILITY): word is Word & { probability: number } {
  return word.probability !== undefined && word.probability < threshold && word.text.trim() !== '';
}

export interface SuspectSegment {
  segment: number;
  /** Said to the person, e.g. "“thank you” 4 times in a row: Whisper may have looped". */
  reason: string;
  /** The repeated phrase, when there is one (to find it in the document). */
  phrase?: string;
}

const wordsOf = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];

/** The longest-running phrase repeated back to back in `words`: the phrase and how many times, or null. */
export function repeatedPhrase(words: readonly string[]): { phrase: string[]; times: number } | null {
  let best: { phrase: string[]; times: number } | null = null;
  for (let size = LOOP_MIN_WORDS; size <= Math.floor(words.length / LOOP_MIN_REPEATS); size++) {
    for (let start = 0; start + size * LOOP_MIN_REPEATS <= words.length; start++) {
      let times = 1;
      while (start + (times + 1) * size <= words.length && sameRun(words, start, start + times * size, size)) times++;
      if (times >= LOOP_MIN_REPEATS && (!best || times * size > best.times * best.phrase.length)) best = { phrase: words.slice(start, start + size), times };
    }
  }
  return best;
}

function sameRun(words: readonly string[], a: number, b: number, size: number): boolean {
  for (let k = 0; k < size; k++) if (words[a + k] !== words[b + k]) return false;
  return true;
}

/** Segments that look invented, each with the reason in words. */
export function suspectSegments(segments: readonly Segment[]): SuspectSegment[] {
  const out: SuspectSegment[] = [];
  segments.forEach((s, segment) => {
    const words = wordsOf(s.text);
    const loop = repeatedPhrase(words);
    if (loop) {
      const phrase = loop.phrase.join(' ');
      out.push({ segment, reason: `“${phrase}” ${loop.times} times in a row: Whisper may have looped. Listen to this span.`, phrase });
      return;
    }
    const previous = segments[segment - 1];
    if (previous && words.length >= LOOP_MIN_WORDS && wordsOf(previous.text).join(' ') === words.join(' ')) {
      out.push({ segment, reason: 'The same text as the segment before: Whisper may have repeated itself. Listen to this span.' });
      return;
    }
    if ((s.compressionRatio ?? 0) > COMPRESSION_RATIO_LIMIT) {
      out.push({ segment, reason: `Repetitive text (compression ratio ${s.compressionRatio!.toFixed(1)}): Whisper may have looped. Listen to this span.` });
      return;
    }
    if ((s.noSpeechProb ?? 0) > 0.6 && (s.avgLogprob ?? 0) < -1) {
      out.push({ segment, reason: 'Whisper judged this span likely silence and was unsure of the text: it may be invented. Listen to this span.' });
    }
  });
  return out;
}
