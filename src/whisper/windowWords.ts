// The words of one decoded window, timed: one more decoder run over [sot…, notimestamps, text…, eot] without
// the prompt (as openai/whisper and faster-whisper align), its alignment heads' cross-attention through
// wordTimings.ts, and each word's probability from the decode's own token log-probabilities (what the search
// actually chose, at the temperature it chose it).
import type * as ort from 'onnxruntime-node';
import type { RunGate } from './api';
import type { LoadedWhisperModel } from './model';
import { N_FRAMES } from './mel';
import { alignmentScores, limitLongWords, mergePunctuations, splitWordTokens, timeWords, type TimedWord } from './wordTimings';

export interface WindowWords {
  /** Seconds from the window's start, in text order. */
  words: TimedWord[];
  /** The window's median word duration (≤ 0.7 s) and twice it: the bounds fitToSegment applies. */
  medianDuration: number;
  maxDuration: number;
}

export async function windowWords(
  model: LoadedWhisperModel,
  encoded: ort.Tensor,
  crossCache: Record<string, ort.Tensor> | undefined,
  sot: readonly number[],
  tokens: readonly number[],
  tokenLogprobs: readonly number[],
  windowFrames: number,
  language: string,
  gate: RunGate = (run) => run(),
): Promise<WindowWords> {
  const { special } = model.tokenizer;
  const text: number[] = [];
  const probabilities: number[] = [];
  tokens.forEach((t, i) => {
    if (t < special.eot) {
      text.push(t);
      probabilities.push(Math.exp(tokenLogprobs[i] ?? -Infinity));
    }
  });
  if (text.length === 0 || model.alignmentHeads.length === 0) return { words: [], medianDuration: 0, maxDuration: 0 };
  const sequence = [...sot, special.noTimestamps, ...text, special.eot];
  const { heads, positions } = await gate(() => model.inference.crossAttention(encoded, sequence, model.alignmentHeads, crossCache));
  // Rows kept: notimestamps and the text (the sot sequence and the eot left out); columns: the window's audio.
  const first = sot.length;
  const rows = text.length + 1;
  const kept = heads.map((h) => h.subarray(first * positions, (first + rows) * positions));
  const frames = Math.max(1, Math.min(positions, Math.floor((windowFrames * positions) / N_FRAMES)));
  const scores = alignmentScores(kept, rows, positions, frames);
  const words = splitWordTokens(text, (ids) => model.tokenizer.decode(ids), language);
  const limited = limitLongWords(timeWords(scores, frames, words, probabilities));
  return { words: mergePunctuations(limited.words), medianDuration: limited.medianDuration, maxDuration: limited.maxDuration };
}
