// Casing fitted to the text a phrase joins. A short phrase decoded alone is sometimes written all in capitals: jfk's
// emphatic "ask not" comes out as "ASK NOT!", where the file transcription of the same audio, which hears the whole
// sentence, writes none. The previous text as Whisper's prompt does not stop it (measured on base: "ASK NOT!" after
// "And so my fellow Americans." as well), and a prompt holding a shouted phrase spreads the capitals to the next one
// ("ASK WHAT YOU CAN DO FOR YOUR COUNTRY!"). So the text is fixed after decoding, before it becomes the next phrase's
// prompt: a phrase whose every word is in capitals, following text that is not, is written in ordinary case.
// Words the text around or the vocabulary spell with capitals keep that spelling (NASA, FalaBrasil, Americans), the
// pronoun I stays, and sentences start with a capital. Capitals the writer is already using (a heading, a constant
// in code) are kept, and so is a phrase of one word, which may as well be an acronym.
import type { Segment } from '../transcript';

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;
/** A phrase is shouting when at least this many of its words have letters, all of them in capitals. */
const MIN_SHOUTED_WORDS = 2;
/** The text around is written in capitals when its last words (this many, at most) all are. */
const CONTEXT_WORDS = 8;

const hasCase = (word: string) => word.toLocaleLowerCase() !== word.toLocaleUpperCase();
const isCapitals = (word: string) => word === word.toLocaleUpperCase();
/** English "I" and its contractions ("I'M", "I'LL"): a capital in any case. */
const isPronounI = (word: string) => /^I(['’]\p{L}+)?$/u.test(word);

/** Every word of the phrase that has letters is in capitals (at least MIN_SHOUTED_WORDS of them, "I" not counted). */
export function isShouted(text: string): boolean {
  const cased = (text.match(WORD) ?? []).filter((w) => hasCase(w) && !isPronounI(w));
  return cased.length >= MIN_SHOUTED_WORDS && cased.every(isCapitals);
}

/** The writer is using capitals just before the cursor. */
function contextInCapitals(context: string): boolean {
  const cased = (context.match(WORD) ?? []).filter(hasCase).slice(-CONTEXT_WORDS);
  return cased.length >= MIN_SHOUTED_WORDS && cased.every(isCapitals);
}

/**
 * Spellings with capitals the text around and the vocabulary vouch for, by lower-case form: every vocabulary term's
 * words, and the context's words whose capitals are not explained by a sentence start.
 */
function knownSpellings(context: string, vocabulary: string): Map<string, string> {
  const known = new Map<string, string>();
  const learn = (word: string) => {
    if (word !== word.toLocaleLowerCase()) known.set(word.toLocaleLowerCase(), word);
  };
  for (const word of vocabulary.match(WORD) ?? []) learn(word);
  for (const m of context.matchAll(WORD)) {
    const before = context.slice(0, m.index).trimEnd();
    const sentenceStart = before === '' || /[.!?…:\n]["')\]]?$/.test(before);
    const innerCapital = /\p{Lu}/u.test(m[0].slice(1));
    if (!sentenceStart || innerCapital) learn(m[0]);
  }
  return known;
}

/** `text` in ordinary case: known spellings kept, "I" kept, the rest lower case, each sentence's first letter a capital. */
function unshout(text: string, known: Map<string, string>): string {
  const lowered = text.replace(WORD, (word) =>
    isPronounI(word) ? word[0] + word.slice(1).toLocaleLowerCase() : (known.get(word.toLocaleLowerCase()) ?? word.toLocaleLowerCase()),
  );
  return lowered.replace(/(^|[.!?…]\s+)(\p{Ll})/gu, (_, lead: string, letter: string) => lead + letter.toLocaleUpperCase());
}

/** What to do with a phrase's text: unchanged, or written in ordinary case. */
function casingFor(phrase: string, context: string, vocabulary = ''): ((text: string) => string) | undefined {
  if (!isShouted(phrase) || contextInCapitals(context)) return undefined;
  const known = knownSpellings(context, vocabulary);
  return (text) => unshout(text, known);
}

/** A phrase's text (a partial, or a final's) cased for the text before it. */
export function fitCasing(phrase: string, context: string, vocabulary?: string): string {
  return casingFor(phrase, context, vocabulary)?.(phrase) ?? phrase;
}

/** A final phrase's segments, cased as fitCasing cases their joined text; word texts follow their segment's. */
export function fitSegmentCasing(segments: Segment[], context: string, vocabulary?: string): Segment[] {
  const fit = casingFor(segments.map((s) => s.text).join(' '), context, vocabulary);
  if (!fit) return segments;
  return segments.map((s) => {
    const text = fit(s.text);
    return { ...s, text, ...(s.words && { words: recaseWords(s.words, s.text, text) }) };
  });
}

/** The words of a segment re-cut from its re-cased text (casing keeps lengths; when it does not, the words stay). */
function recaseWords(words: NonNullable<Segment['words']>, before: string, after: string): Segment['words'] {
  const joined = words.map((w) => w.text).join('');
  if (joined.trim() !== before.trim() || after.trim().length !== before.trim().length) return words;
  const lead = joined.length - joined.trimStart().length;
  const recased = joined.slice(0, lead) + after.trim() + joined.slice(lead + before.trim().length);
  let at = 0;
  return words.map((w) => {
    const text = recased.slice(at, at + w.text.length);
    at += w.text.length;
    return { ...w, text };
  });
}
