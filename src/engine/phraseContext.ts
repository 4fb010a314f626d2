// The text a live phrase follows: Whisper's previous text for it (the decoder prompt, after the vocabulary) and what
// its casing is fitted to. Dictation follows the editor: the text before the cursor as the extension last read it,
// plus the phrases given since that the editor had not yet shown. A meeting, or dictation without an editor (the
// CLI), follows its own earlier phrases. Only the end is kept: the decoder takes the newest tokens that fit.
import { PROMPT_TEXT_CHARS } from '../whisper/prompt';

/** The text before the cursor, read once the session's first `phrases` final phrases had been handled. */
export interface EditorContext {
  before: string;
  phrases: number;
}

export function phraseContext(editor: EditorContext | undefined, finals: readonly string[], maxChars = PROMPT_TEXT_CHARS): string {
  const pending = finals.slice(editor?.phrases ?? 0);
  const text = [editor?.before.trimEnd() ?? '', ...pending].filter(Boolean).join(' ');
  if (text.length <= maxChars) return text;
  // Cut at a word boundary: half a word would be a token the speaker never said.
  const tail = text.slice(-maxChars);
  const space = tail.search(/\s/);
  return space >= 0 ? tail.slice(space + 1) : tail;
}
