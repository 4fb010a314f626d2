// VAD integration, as faster-whisper's vad_filter: the speech is cut out and joined into one shorter
// signal, Whisper decodes that, and every time is mapped back to the original timeline.
// Joining (rather than decoding each region alone) keeps 30 s windows full — fewer encoder runs —
// and keeps the previous-text context flowing; silence is never decoded, so it cannot produce
// hallucinated text.
//
// Silero's regions (30 ms padding, 100 ms minimum silence) cut speech at every breath; joined back to
// back they sound choppy to Whisper (measured on jfk.wav: words lost, 5 temperature fallbacks).
// So regions closer than SPEECH_MERGE_GAP_SECONDS are first merged into one chunk that keeps its short
// pauses (faster-whisper gets the same effect from min_silence 2000 ms), and each chunk is padded.
// A Whisper segment that straddles two chunks is put wholly on the side holding most of it, so no
// segment's time range ever covers a removed silence.
import { asSource, type SampleSource } from '../audio/source';
import { SAMPLE_RATE, type SpeechRegion } from '../vocabulary';

/** Regions separated by less than this are decoded as one chunk, pause included. */
export const SPEECH_MERGE_GAP_SECONDS = 2.0;
/** Audio kept on each side of a chunk (faster-whisper's speech_pad for Whisper is 0.4 s). */
export const SPEECH_CHUNK_PAD_SECONDS = 0.4;

export interface SpeechMap {
  /** The joined speech, read on demand from the original source. */
  source: SampleSource;
  /** Chunks in the original timeline, seconds. */
  chunks: { start: number; end: number }[];
  /** Maps a time in the joined signal (seconds) to the original timeline. */
  toOriginal(seconds: number, isEnd?: boolean): number;
  /** Maps a segment [start, end] of the joined signal so that it stays inside one chunk. */
  segmentToOriginal(start: number, end: number): { start: number; end: number };
}

/** Merges close regions and pads them: the chunks that will be decoded, in samples. */
export function speechChunks(
  regions: readonly SpeechRegion[],
  nSamples: number,
  sampleRate = SAMPLE_RATE,
  mergeGapSeconds = SPEECH_MERGE_GAP_SECONDS,
  padSeconds = SPEECH_CHUNK_PAD_SECONDS,
): SpeechRegion[] {
  const sorted = regions
    .map((r) => ({ start: Math.max(0, Math.floor(r.start)), end: Math.min(nSamples, Math.floor(r.end)) }))
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start);
  const merged: SpeechRegion[] = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    if (last && r.start - last.end < mergeGapSeconds * sampleRate) last.end = Math.max(last.end, r.end);
    else merged.push({ ...r });
  }
  const pad = Math.round(padSeconds * sampleRate);
  return merged.map((r, i) => ({
    // Padding never reaches into the neighbour's padding (chunks stay disjoint).
    start: Math.max(0, r.start - pad, i > 0 ? Math.ceil((merged[i - 1].end + r.start) / 2) : 0),
    end: Math.min(nSamples, r.end + pad, i < merged.length - 1 ? Math.floor((r.end + merged[i + 1].start) / 2) : nSamples),
  }));
}

export function joinSpeech(input: Float32Array | SampleSource, chunks: readonly SpeechRegion[], sampleRate = SAMPLE_RATE): SpeechMap {
  const original = asSource(input);
  const total = chunks.reduce((n, r) => n + r.end - r.start, 0);
  const chunkStarts: number[] = []; // start of each chunk in the joined signal (samples)
  const chunkEnds: number[] = [];
  const offsets: number[] = []; // original start − joined start, per chunk
  let pos = 0;
  for (const r of chunks) {
    offsets.push(r.start - pos);
    chunkStarts.push(pos);
    pos += r.end - r.start;
    chunkEnds.push(pos);
  }
  // Nothing is copied here: a read gathers the original ranges behind [start, end) of the joined signal.
  const joined: SampleSource = {
    length: total,
    read(start, end) {
      const from = Math.max(0, Math.floor(start));
      const to = Math.min(total, Math.ceil(end));
      const out = new Float32Array(Math.max(0, to - from));
      for (let i = 0; i < chunks.length && from < to; i++) {
        const a = Math.max(from, chunkStarts[i]);
        const b = Math.min(to, chunkEnds[i]);
        if (a < b) out.set(original.read(a + offsets[i], b + offsets[i]), a - from);
      }
      return out;
    },
  };
  const chunkOf = (s: number, isEnd: boolean): number => {
    // An end time exactly at a chunk boundary belongs to the chunk before it.
    let i = 0;
    while (i < chunkEnds.length - 1 && (isEnd ? s > chunkEnds[i] : s >= chunkEnds[i])) i++;
    return i;
  };
  const at = (s: number, i: number) => (s + offsets[i]) / sampleRate;
  return {
    source: joined,
    chunks: chunks.map((r) => ({ start: r.start / sampleRate, end: r.end / sampleRate })),
    toOriginal(seconds: number, isEnd = false): number {
      if (chunkEnds.length === 0) return seconds;
      const s = Math.round(seconds * sampleRate);
      return at(s, chunkOf(s, isEnd));
    },
    segmentToOriginal(start: number, end: number) {
      if (chunkEnds.length === 0) return { start, end };
      const s = Math.round(start * sampleRate);
      const e = Math.round(end * sampleRate);
      const first = chunkOf(s, false);
      const last = chunkOf(e, true);
      if (first === last) return { start: at(s, first), end: at(e, last) };
      // Straddles removed silence: keep it on the side with the larger share of its duration.
      const inFirst = chunkEnds[first] - s;
      const inLast = e - chunkStarts[last];
      if (inFirst >= inLast) return { start: at(s, first), end: at(chunkEnds[first], first) };
      return { start: at(chunkStarts[last], last), end: at(e, last) };
    },
  };
}
