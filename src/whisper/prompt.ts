// The tokens a window's decoding starts from: <|startofprev|>, the vocabulary, the end of the previous text, then the
// start-of-transcript sequence (openai/whisper's prompt with faster-whisper's `hotwords` ahead of it).

/**
 * Characters of previous text enough to fill the prompt's room (223 tokens) in any language: a Whisper token is 3 to
 * 5 characters of ordinary text, so this leaves room to spare; the decoder keeps the newest tokens that fit
 * (windowPrompt). Callers that hold more text (an editor, a long meeting) send only its end.
 */
export const PROMPT_TEXT_CHARS = 2000;

/** Half of the 448-token text context, less <|startofprev|>: what openai/whisper and faster-whisper give the prompt. */
export function promptRoom(textContext: number): number {
  return textContext / 2 - 1;
}

/**
 * The vocabulary always stays whole (its length is capped when it is tokenised); the previous text keeps its most
 * recent tokens in the room left. Without either, the window starts at the sot sequence alone.
 */
export function windowPrompt(sotPrev: number, vocabulary: readonly number[], previous: readonly number[], sot: readonly number[], room: number): number[] {
  const kept = previous.slice(Math.max(0, previous.length - Math.max(0, room - vocabulary.length)));
  if (vocabulary.length === 0 && kept.length === 0) return [...sot];
  return [sotPrev, ...vocabulary, ...kept, ...sot];
}
