// JSON, exactly the CLI contract (scripts parse it; keep keys and order stable):
// {"input","model","precision","language","duration","segments":[{"start","end","text","speaker"?,"words"?}],
//  "speakers"?,"diarization"?,"timing":{"load","decode","transcribe","diarize"?,"total"},"rtf"}; times in seconds.
// "diarization" ({method, reason}) says how the speakers were found, when they were.
import type { SpeakerSummary, Transcript } from '../transcript';
import type { Precision } from '../vocabulary';

export interface JsonSegment {
  start: number;
  end: number;
  text: string;
  speaker?: string;
  /** With word timings: each word as Whisper spells it (leading space kept), its times and probability. */
  words?: JsonWord[];
}

export interface JsonWord {
  start: number;
  end: number;
  text: string;
  probability?: number;
}

export interface JsonTranscript {
  input: string;
  model: string;
  precision: Precision;
  language: string;
  duration: number;
  segments: JsonSegment[];
  speakers?: SpeakerSummary[];
  diarization?: { method: string; reason: string };
  timing: { load: number; decode: number; transcribe: number; diarize?: number; total: number };
  rtf: number;
}

/** Seconds rounded to the millisecond (times) and ratios to 4 decimals. */
const ms = (x: number) => Math.round(x * 1000) / 1000;
const ratio = (x: number) => Math.round(x * 10000) / 10000;

export function toJsonTranscript(t: Transcript): JsonTranscript {
  const timing: JsonTranscript['timing'] = {
    load: ms(t.timing.load),
    decode: ms(t.timing.decode),
    transcribe: ms(t.timing.transcribe),
  } as JsonTranscript['timing'];
  if (t.timing.diarize !== undefined) timing.diarize = ms(t.timing.diarize);
  timing.total = ms(t.timing.total);
  // Built in the contract's key order.
  return {
    input: t.input,
    model: t.model,
    precision: t.precision,
    language: t.language,
    duration: ms(t.duration),
    segments: t.segments.map((s) => {
      const seg: JsonSegment = { start: ms(s.start), end: ms(s.end), text: s.text.trim() };
      if (s.speaker !== undefined) seg.speaker = s.speaker;
      if (s.words?.length)
        seg.words = s.words.map((w) => ({
          start: ms(w.start),
          end: ms(w.end),
          text: w.text,
          ...(w.probability !== undefined && { probability: ratio(w.probability) }),
        }));
      return seg;
    }),
    ...(t.speakers ? { speakers: t.speakers.map((s) => ({ id: s.id, name: s.name, speakingTime: ms(s.speakingTime) })) } : {}),
    ...(t.diarization ? { diarization: { method: t.diarization.method, reason: t.diarization.reason } } : {}),
    timing,
    rtf: ratio(t.rtf),
  };
}

export function renderJson(transcript: Transcript): string {
  return JSON.stringify(toJsonTranscript(transcript), null, 2) + '\n';
}
