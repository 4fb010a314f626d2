// How a dictated phrase joins the text already at the cursor: a space between words (none after an opening
// bracket or a newline, none before punctuation), a capital after a sentence end or at the start of a line, and
// after a comma or semicolon a small letter where Whisper capitalised a plain word only because the phrase began
// there ("Americans, Ask not" → "Americans, ask not"; "I", acronyms and CamelCase names stay). Elsewhere
// Whisper's own capital is kept. Vscode-free, so it is unit-tested alone.

/** The text to insert for `phrase`, given what precedes the cursor (`before`) and what follows it (`after`). */
export function joinDictation(phrase: string, before: string, after = ''): string {
  let text = phrase.trim().replace(/\s+/g, ' ');
  if (!text) return '';
  const prev = before.replace(/[ \t]+$/, '');
  const lastChar = prev.slice(-1);
  const atLineStart = prev === '' || lastChar === '\n';
  const sentenceStart = atLineStart || /[.!?…:]["')\]]?$/.test(prev);
  if (sentenceStart) text = text[0].toLocaleUpperCase() + text.slice(1);
  else if (/[,;]["')\]]?$/.test(prev)) {
    const first = /^[\p{L}'’]+/u.exec(text)?.[0] ?? '';
    const plainCapitalised = /^\p{Lu}[\p{Ll}'’]+$/u.test(first) && !/^I(['’]|$)/.test(first);
    if (plainCapitalised) text = text[0].toLocaleLowerCase() + text.slice(1);
  }
  const needsSpace = !atLineStart && before.length > 0 && !/[ \t]$/.test(before) && !/[([{"'“‘¿¡-]$/.test(before) && !/^[.,;:!?…)\]}]/.test(text);
  if (needsSpace) text = ' ' + text;
  // A word right after the cursor gets a separating space too.
  if (after && /^[\p{L}\p{N}]/u.test(after)) text += ' ';
  return text;
}
