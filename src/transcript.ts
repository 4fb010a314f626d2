// The one shape every stage agrees on: whisper produces it, diarization annotates it,
// output formats render it, the protocol carries it. Times are seconds from the start of the media.

import type { Precision, SpeakerEmbedderKind } from './vocabulary';

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

/** A remembered voice. `space` names the embedding model: profiles of another model are never compared. */
export interface VoiceProfile {
  name: string;
  space: string;
  embedding: number[];
  /** Which embedder made it (its threshold); absent in profiles kept before CAM++: GE2E. */
  embedder?: SpeakerEmbedderKind;
  /** ISO date it was remembered, and from which recording (for the list). */
  created: string;
  source?: string;
}

/** The voices of one recording's speakers, by speaker id, in the embedding space `space`. */
export interface SpeakerVoices {
  space: string;
  /** Which embedder made them, so they are matched at its threshold; absent (voices written before CAM++): GE2E. */
  embedder?: SpeakerEmbedderKind;
  bySpeaker: Record<string, number[]>;
}

/** A recording's speaker named by a profile, and how similar the voices were (cosine). */
export interface VoiceMatch {
  speaker: string;
  name: string;
  similarity: number;
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
  /** Each speaker's voice (an embedding, never audio), for "Remember this voice as…"; not in the exports. */
  voices?: SpeakerVoices;
  /** Speakers that voice profiles named. */
  voiceMatches?: VoiceMatch[];
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
