// Word timings from the decoder's cross-attention, as openai/whisper's timing.py (find_alignment and
// add_word_timestamps) and faster-whisper compute them with word_timestamps=True:
//   1. the alignment heads' attention over the window's frames, for the tokens [sot…, notimestamps, text…, eot];
//   2. each head's weights normalised per frame across tokens, smoothed along time by a median filter of 7 frames;
//   3. the heads' mean is a token × frame score; dynamic time warping finds the monotonic path through it;
//   4. a word starts where the path reaches its first token and ends where it reaches the next word's.
// Then the same heuristics: punctuation joins its word, a word far longer than the median at a sentence
// boundary is cut, and the first and last words of a segment keep near the segment's timestamps.
// Pure: decode.ts feeds it the attention and the tokens.

/** The attention's time step: 1500 positions per 30 s window. */
export const ATTENTION_STEP_SECONDS = 0.02;
export const PREPEND_PUNCTUATIONS = '"\'“¿([{-';
export const APPEND_PUNCTUATIONS = '"\'.。,，!！?？:：”)]}、';
const SENTENCE_END_MARKS = '.。!！?？';

export interface TimedWord {
  /** As Whisper spells it, with its leading space. */
  text: string;
  /** Seconds from the window's start. */
  start: number;
  end: number;
  /** Mean probability of its tokens. */
  probability: number;
  /** Its tokens, to place it in a segment. */
  tokens: number[];
}

/** Median of 7 values by a selection network (no array: this runs for every token, frame and head). */
function median7(a0: number, a1: number, a2: number, a3: number, a4: number, a5: number, a6: number): number {
  let t: number;
  // Sort pairs and discard the extremes step by step (Paeth's median-of-7 network).
  if (a0 > a5) {
    t = a0;
    a0 = a5;
    a5 = t;
  }
  if (a0 > a3) {
    t = a0;
    a0 = a3;
    a3 = t;
  }
  if (a1 > a6) {
    t = a1;
    a1 = a6;
    a6 = t;
  }
  if (a2 > a4) {
    t = a2;
    a2 = a4;
    a4 = t;
  }
  if (a0 > a1) a1 = a0; // only the larger is used from here
  if (a3 > a5) {
    t = a3;
    a3 = a5;
    a5 = t;
  }
  if (a2 > a6) {
    t = a2;
    a2 = a6;
    a6 = t;
  }
  if (a2 > a3) a3 = a2;
  if (a3 > a6) a3 = a6;
  if (a4 > a5) a4 = a5;
  if (a1 > a4) {
    t = a1;
    a1 = a4;
    a4 = t;
  }
  if (a1 > a3) a3 = a1;
  if (a3 > a4) a3 = a4;
  return a3;
}

/** Median of each 7 wide neighbourhood along a row, the ends reflected (as torch's reflect pad). */
export function medianFilterRow(row: Float32Array, out = new Float32Array(row.length)): Float32Array {
  const n = row.length;
  if (n <= 3) {
    out.set(row);
    return out;
  }
  const at = (i: number) => row[i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i];
  for (let i = 0; i < n; i++) {
    out[i] =
      i >= 3 && i < n - 3
        ? median7(row[i - 3], row[i - 2], row[i - 1], row[i], row[i + 1], row[i + 2], row[i + 3])
        : median7(at(i - 3), at(i - 2), at(i - 1), at(i), at(i + 1), at(i + 2), at(i + 3));
  }
  return out;
}

/**
 * The token × frame score: for each head, the attention of `rows` tokens over the first `frames` positions,
 * renormalised over them (a softmax restricted to the audio equals the full one divided by its sum there),
 * standardised per frame across tokens, median-filtered along time; then the heads' mean.
 * `heads[h]` is [rows × stride] row-major.
 */
export function alignmentScores(heads: readonly Float32Array[], rows: number, stride: number, frames: number): Float32Array {
  const mean = new Float32Array(rows * frames);
  const weights = new Float32Array(rows * frames);
  const smooth = new Float32Array(frames);
  const frameMean = new Float64Array(frames);
  const frameSquares = new Float64Array(frames);
  for (const head of heads) {
    frameMean.fill(0);
    frameSquares.fill(0);
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (let f = 0; f < frames; f++) sum += head[r * stride + f];
      const scale = sum > 0 ? 1 / sum : 0;
      for (let f = 0; f < frames; f++) {
        const w = head[r * stride + f] * scale;
        weights[r * frames + f] = w;
        frameMean[f] += w;
        frameSquares[f] += w * w;
      }
    }
    // Per frame across tokens: (w − mean) / std, std without Bessel's correction (as torch.std_mean, unbiased=False).
    for (let f = 0; f < frames; f++) {
      const m = frameMean[f] / rows;
      frameMean[f] = m;
      frameSquares[f] = 1 / (Math.sqrt(Math.max(0, frameSquares[f] / rows - m * m)) || 1);
    }
    for (let r = 0; r < rows; r++) {
      const row = weights.subarray(r * frames, (r + 1) * frames);
      for (let f = 0; f < frames; f++) row[f] = (row[f] - frameMean[f]) * frameSquares[f];
      medianFilterRow(row, smooth);
      for (let f = 0; f < frames; f++) mean[r * frames + f] += smooth[f] / heads.length;
    }
  }
  return mean;
}

/**
 * Dynamic time warping over a rows × cols cost (lower is better): the monotonic path from (0, 0) to the last
 * cell, as openai's dtw_cpu, ties broken the same way (diagonal, then up, then left). Returns the path's cells.
 */
export function dtw(cost: Float32Array, rows: number, cols: number): { rows: number[]; cols: number[] } {
  const width = cols + 1;
  const total = new Float64Array((rows + 1) * width).fill(Infinity);
  const trace = new Int8Array((rows + 1) * width).fill(-1);
  total[0] = 0;
  for (let j = 1; j <= cols; j++) {
    for (let i = 1; i <= rows; i++) {
      const c0 = total[(i - 1) * width + j - 1];
      const c1 = total[(i - 1) * width + j];
      const c2 = total[i * width + j - 1];
      let c: number;
      let t: number;
      if (c0 < c1 && c0 < c2) [c, t] = [c0, 0];
      else if (c1 < c0 && c1 < c2) [c, t] = [c1, 1];
      else [c, t] = [c2, 2];
      total[i * width + j] = cost[(i - 1) * cols + j - 1] + c;
      trace[i * width + j] = t;
    }
  }
  for (let j = 0; j <= cols; j++) trace[j] = 2;
  for (let i = 0; i <= rows; i++) trace[i * width] = 1;
  const pathRows: number[] = [];
  const pathCols: number[] = [];
  let i = rows;
  let j = cols;
  while (i > 0 || j > 0) {
    pathRows.push(i - 1);
    pathCols.push(j - 1);
    const t = trace[i * width + j];
    if (t === 0) {
      i--;
      j--;
    } else if (t === 1) i--;
    else j--;
  }
  return { rows: pathRows.reverse(), cols: pathCols.reverse() };
}

/** Languages written without spaces: words are split where a character ends instead. */
const NO_SPACE_LANGUAGES = new Set(['zh', 'ja', 'th', 'lo', 'my', 'yue']);

/**
 * Text tokens → words (openai's split_to_word_tokens): pieces that decode to whole characters, then, for
 * languages with spaces, a piece that starts with a space or is punctuation starts a new word.
 */
export function splitWordTokens(tokens: readonly number[], decode: (ids: number[]) => string, language: string): { text: string; tokens: number[] }[] {
  const pieces: { text: string; tokens: number[] }[] = [];
  const full = decode([...tokens]);
  let current: number[] = [];
  let offset = 0;
  for (const token of tokens) {
    current.push(token);
    const decoded = decode(current);
    const broken = decoded.indexOf('\ufffd');
    if (broken < 0 || full[offset + broken] === '\ufffd') {
      pieces.push({ text: decoded, tokens: current });
      current = [];
      offset += decoded.length;
    }
  }
  if (current.length) pieces.push({ text: decode(current), tokens: current });
  if (NO_SPACE_LANGUAGES.has(language)) return pieces;
  const words: { text: string; tokens: number[] }[] = [];
  for (const piece of pieces) {
    const punctuation = piece.text.trim().length > 0 && /^[\p{P}\p{S}]+$/u.test(piece.text.trim());
    if (words.length === 0 || piece.text.startsWith(' ') || punctuation) words.push({ text: piece.text, tokens: [...piece.tokens] });
    else {
      const last = words[words.length - 1];
      last.text += piece.text;
      last.tokens.push(...piece.tokens);
    }
  }
  return words;
}

/**
 * The words of one window. `scores` is alignmentScores over the rows [notimestamps, text tokens…] (the sot
 * sequence and the eot row left out, as openai does), `textTokens` the window's text tokens in order and
 * `tokenProbabilities` theirs.
 */
export function timeWords(
  scores: Float32Array,
  frames: number,
  words: readonly { text: string; tokens: number[] }[],
  tokenProbabilities: readonly number[],
): TimedWord[] {
  const rows = scores.length / frames;
  if (words.length === 0 || rows < 2) return [];
  const negated = scores.map((x) => -x);
  const path = dtw(negated, rows, frames);
  // The time the path reaches each row.
  const rowStart: number[] = [];
  for (let k = 0; k < path.rows.length; k++) {
    if (k === 0 || path.rows[k] !== path.rows[k - 1]) rowStart.push(path.cols[k] * ATTENTION_STEP_SECONDS);
  }
  // The notimestamps row predicts the first text token, so word w spans rows boundary[w] … boundary[w + 1].
  const out: TimedWord[] = [];
  let boundary = 0;
  for (const word of words) {
    const next = boundary + word.tokens.length;
    const start = rowStart[Math.min(boundary, rowStart.length - 1)];
    const end = rowStart[Math.min(next, rowStart.length - 1)];
    const probs = tokenProbabilities.slice(boundary, next);
    const probability = probs.length ? probs.reduce((a, b) => a + b, 0) / probs.length : 0;
    out.push({ text: word.text, start, end, probability, tokens: word.tokens });
    boundary = next;
  }
  return out;
}

/** Punctuation joins its word: opening marks the next word, closing marks the previous one (openai's merge_punctuations). */
export function mergePunctuations(words: TimedWord[], prepend = PREPEND_PUNCTUATIONS, append = APPEND_PUNCTUATIONS): TimedWord[] {
  const list = words.map((w) => ({ ...w, tokens: [...w.tokens] }));
  const isIn = (marks: string, text: string) => text === '' || marks.includes(text);
  // Opening marks, from the end: a run of them all joins the same following word.
  for (let i = list.length - 2, j = list.length - 1; i >= 0; i--) {
    const previous = list[i];
    const following = list[j];
    if (previous.text.startsWith(' ') && isIn(prepend, previous.text.trim())) {
      following.text = previous.text + following.text;
      following.tokens = [...previous.tokens, ...following.tokens];
      previous.text = '';
      previous.tokens = [];
    } else j = i;
  }
  // Closing marks, from the start: a run of them all joins the same previous word.
  for (let i = 0, j = 1; j < list.length; j++) {
    const previous = list[i];
    const following = list[j];
    if (!previous.text.endsWith(' ') && isIn(append, following.text)) {
      previous.text += following.text;
      previous.tokens.push(...following.tokens);
      following.text = '';
      following.tokens = [];
    } else i = j;
  }
  return list.filter((w) => w.text !== '');
}

function median(values: number[]): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** openai's heuristics on one window's words: a word at a sentence boundary longer than twice the median is cut. */
export function limitLongWords(words: TimedWord[]): { words: TimedWord[]; medianDuration: number; maxDuration: number } {
  const durations = words.map((w) => w.end - w.start).filter((d) => d > 0);
  const medianDuration = Math.min(0.7, median(durations));
  const maxDuration = medianDuration * 2;
  const out = words.map((w) => ({ ...w }));
  if (durations.length > 0) {
    for (let i = 1; i < out.length; i++) {
      if (out[i].end - out[i].start <= maxDuration) continue;
      if (SENTENCE_END_MARKS.includes(out[i].text.trim()) && out[i].text.trim()) out[i].end = out[i].start + maxDuration;
      else if (SENTENCE_END_MARKS.includes(out[i - 1].text.trim()) && out[i - 1].text.trim()) out[i].start = out[i].end - maxDuration;
    }
  }
  return { words: out, medianDuration, maxDuration };
}

/**
 * A segment's words kept near its timestamps (openai's add_word_timestamps): after a pause the first word may not
 * stretch back into it, and a first or last word that runs far past the segment's own start or end is pulled in.
 * Times are absolute here; returns the words (the segment's times are not changed).
 */
export function fitToSegment(
  words: TimedWord[],
  segment: { start: number; end: number },
  lastSpeechEnd: number,
  medianDuration: number,
  maxDuration: number,
): TimedWord[] {
  if (!words.length) return words;
  const w = words.map((x) => ({ ...x }));
  const first = w[0];
  if (first.end - lastSpeechEnd > medianDuration * 4 && (first.end - first.start > maxDuration || (w.length > 1 && w[1].end - first.start > maxDuration * 2))) {
    if (w.length > 1 && w[1].end - w[1].start > maxDuration) {
      const boundary = Math.max(w[1].end / 2, w[1].end - maxDuration);
      first.end = w[1].start = boundary;
    }
    first.start = Math.max(0, first.end - maxDuration);
  }
  if (segment.start < first.end && segment.start - 0.5 > first.start) first.start = Math.max(0, Math.min(first.end - medianDuration, segment.start));
  const last = w[w.length - 1];
  if (segment.end > last.start && segment.end + 0.5 < last.end) last.end = Math.max(last.start + medianDuration, segment.end);
  return w;
}
