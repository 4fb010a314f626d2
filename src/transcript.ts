// The one shape every stage agrees on: whisper produces it, diarization annotates it,
// output formats render it, the protocol carries it. Times are seconds from the start of the media.

import type { Precision } from './vocabulary';

export interface Word {
  start: number;
  end: number;
  text: string;
  probability?: number;
  speaker?: string;
}

export interface Segment {
  start: number;
  end: number;
  text: string;
  speaker?: string;
  /** Optional decoder statistics, kept for diagnostics and JSON output consumers. */
  avgLogprob?: number;
  noSpeechProb?: number;
  compressionRatio?: number;
  temperature?: number;
  words?: Word[];
}

export interface SpeakerTurn {
  start: number;
  end: number;
  speaker: string;
}

export interface SpeakerSummary {
  id: string;
  name: string;
  /** Total speaking time in seconds. */
  speakingTime: number;
}

export interface Timing {
  load: number;
  decode: number;
  transcribe: number;
  diarize?: number;
  total: number;
}

export interface Transcript {
  input: string;
  model: string;
  precision: Precision;
  language: string;
  /** Duration of the decoded audio in seconds. */
  duration: number;
  segments: Segment[];
  speakers?: SpeakerSummary[];
  /**
   * Who spoke when, as the diarization found it (speaker ids as in `speakers`): the turns RTTM output gives.
   * Segments carry the speaker of their text; these are the turns themselves, independent of how text is cut.
   */
  turns?: SpeakerTurn[];
  /** How speakers were found, when they were: the clustering method and why it was chosen. */
  diarization?: { method: string; reason: string };
  timing: Timing;
  /** Real-time factor: total processing time / audio duration. */
  rtf: number;
  /** Human-readable notes about degraded modes (e.g. INT8 fell back to FP32). */
  warnings?: string[];
  /** Where the audio went, stage by stage (`--verbose`): every second a stage set aside is accounted for. */
  audit?: StageAccount[];
}

export interface StageAccount {
  stage: 'media' | 'vad' | 'whisper' | 'text';
  /** Seconds the stage kept (passed on to the next stage). */
  kept: number;
  /** Seconds the stage set aside, and why. */
  dropped: number;
  detail: string;
}
