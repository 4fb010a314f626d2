// Live phrase detection: Silero's speech/silence hysteresis (vad.ts), applied as window probabilities arrive
// instead of over a finished file. A phrase opens at the first speech window and closes once silence has lasted
// `minSilenceMs`; phrases with less than `minSpeechMs` of speech are dropped (a cough, a click), and a phrase is
// cut at `maxPhraseSeconds` so it fits one Whisper window. Positions are sample offsets in the live journal.
import { VAD_WINDOW_SAMPLES } from './vad';
import { SAMPLE_RATE } from '../vocabulary';

export interface PhraseOptions {
  threshold: number;
  /** Silence below this; Silero's threshold − 0.15. */
  negThreshold?: number;
  /** Silence that ends a phrase: short for dictation (the text should come quickly), longer for meetings. */
  minSilenceMs: number;
  minSpeechMs: number;
  /**
   * Kept before the first speech window, back to the previous phrase's end at most. Whisper misses a phrase's first
   * short word ("a", "e") when its audio starts right at the onset: on the shared PT-BR clips joined with pauses, a
   * 100 ms lead-in lost two initial "A"s (WER 24.7 %, the file transcription 20.8 %), 300 ms or more kept them (22.1 %).
   * It costs nothing: the audio is already recorded, and Whisper decodes a 30 s window whatever its length.
   */
  leadMs: number;
  /** Kept after the last speech window (trailing consonants). */
  padMs: number;
  maxPhraseSeconds: number;
}

export const DICTATION_PHRASES: PhraseOptions = { threshold: 0.5, minSilenceMs: 400, minSpeechMs: 250, leadMs: 400, padMs: 100, maxPhraseSeconds: 28 };
export const MEETING_PHRASES: PhraseOptions = { threshold: 0.5, minSilenceMs: 700, minSpeechMs: 250, leadMs: 400, padMs: 150, maxPhraseSeconds: 28 };

export type PhraseEvent =
  | { kind: 'start'; start: number }
  | { kind: 'end'; start: number; end: number }
  /** Too little speech to be a phrase: whatever was shown for it goes away. */
  | { kind: 'drop'; start: number };

export class PhraseSegmenter {
  private readonly neg: number;
  private readonly lead: number;
  private readonly pad: number;
  private readonly minSilence: number;
  private readonly minSpeech: number;
  private readonly maxPhrase: number;
  /** Windows seen so far. */
  private windows = 0;
  private phrase: { start: number; speech: number } | undefined;
  private silenceStart: number | undefined;
  /** End of the previous phrase: a new phrase's padding never reaches back into it. */
  private lastEnd = 0;

  constructor(private readonly options: PhraseOptions) {
    this.neg = options.negThreshold ?? Math.max(0.01, options.threshold - 0.15);
    this.lead = Math.round((SAMPLE_RATE * options.leadMs) / 1000);
    this.pad = Math.round((SAMPLE_RATE * options.padMs) / 1000);
    this.minSilence = (SAMPLE_RATE * options.minSilenceMs) / 1000;
    this.minSpeech = (SAMPLE_RATE * options.minSpeechMs) / 1000;
    this.maxPhrase = SAMPLE_RATE * options.maxPhraseSeconds;
  }

  /** Samples covered by the probabilities pushed so far. */
  get position(): number {
    return this.windows * VAD_WINDOW_SAMPLES;
  }

  /** The phrase being spoken, if any (for partial text). */
  get open(): { start: number } | undefined {
    return this.phrase && { start: this.phrase.start };
  }

  /** The open phrase's latest windows are silence (it may be about to close). */
  get pausing(): boolean {
    return !!this.phrase && this.silenceStart !== undefined;
  }

  /** Feeds the speech probabilities of the next windows, in stream order. */
  push(probs: ArrayLike<number>): PhraseEvent[] {
    const events: PhraseEvent[] = [];
    for (let i = 0; i < probs.length; i++) {
      const p = probs[i];
      const pos = this.windows * VAD_WINDOW_SAMPLES;
      const windowEnd = pos + VAD_WINDOW_SAMPLES;
      this.windows++;
      if (!this.phrase) {
        if (p >= this.options.threshold) {
          this.phrase = { start: Math.max(this.lastEnd, pos - this.lead), speech: VAD_WINDOW_SAMPLES };
          this.silenceStart = undefined;
          events.push({ kind: 'start', start: this.phrase.start });
        }
        continue;
      }
      if (p >= this.options.threshold) {
        this.silenceStart = undefined;
        this.phrase.speech += VAD_WINDOW_SAMPLES;
      } else if (p < this.neg) {
        this.silenceStart ??= pos;
        if (windowEnd - this.silenceStart >= this.minSilence) {
          events.push(this.close(Math.min(windowEnd, this.silenceStart + this.pad)));
          continue;
        }
      }
      if (windowEnd + VAD_WINDOW_SAMPLES - this.phrase.start > this.maxPhrase) {
        // One more window would make it too long.
        // Over-long: cut at the pending silence if there is one, else here, and go on in a new phrase.
        const cut = this.silenceStart ?? windowEnd;
        const stillSpeaking = this.silenceStart === undefined;
        events.push(this.close(cut));
        if (stillSpeaking) {
          this.phrase = { start: cut, speech: 0 };
          events.push({ kind: 'start', start: cut });
        }
      }
    }
    return events;
  }

  /** The stream ended: closes the open phrase at the end of what was pushed. */
  flush(): PhraseEvent[] {
    if (!this.phrase) return [];
    const end = this.silenceStart !== undefined ? Math.min(this.position, this.silenceStart + this.pad) : this.position;
    return [this.close(end)];
  }

  private close(end: number): PhraseEvent {
    const phrase = this.phrase!;
    this.phrase = undefined;
    this.silenceStart = undefined;
    this.lastEnd = end;
    if (phrase.speech < this.minSpeech) return { kind: 'drop', start: phrase.start };
    return { kind: 'end', start: phrase.start, end };
  }
}
