// The words every layer shares: the audio rate, precisions, speech regions, a media probe, live sources and the
// transcription's stage figures. Libraries (audio, whisper, diarization, models, output) import these types from
// here, never from the wire protocol; the protocol imports them too, so a message and a library agree by
// construction. The transcript itself (segments, speakers, timing) is in transcript.ts.

/** Every stage works on 16 kHz mono float32 samples (Whisper's, Silero's and the speaker model's rate). */
export const SAMPLE_RATE = 16000;

/**
 * Numeric precision of the Whisper graphs: 8-bit weights (the default), 4-bit weights, or full float. The files of
 * each are named in src/models/layout.ts.
 */
export const PRECISIONS = ['int8', 'q4', 'fp32'] as const;
export type Precision = (typeof PRECISIONS)[number];

/** A stretch of audio that contains speech, in samples at SAMPLE_RATE. */
export interface SpeechRegion {
  start: number;
  end: number;
}

/** What ffmpeg says about a media file before decoding it. */
export interface MediaProbe {
  /** Seconds, or undefined when the container does not say (some streams, raw formats). */
  duration?: number;
  /** Codec description of each audio stream, e.g. "pcm_s16le", "mp3", "opus". */
  audioStreams: string[];
  /** Kind of each other stream, e.g. "Video: h264". */
  otherStreams: string[];
}

export type LiveMode = 'dictation' | 'meeting';
export const RECORDER_PROGRAMS = ['sox', 'rec', 'arecord'] as const;
export type RecorderProgram = (typeof RECORDER_PROGRAMS)[number];

/** Where live audio comes from: the microphone, or (for scripts, benchmarks and tests) a media file. */
export type LiveSource =
  | { kind: 'microphone'; recorder?: RecorderProgram; device?: string }
  /** `realtime`: paced like a microphone (ffmpeg -re); else as fast as it decodes. */
  | { kind: 'file'; input: string; ffmpegPath?: string; realtime?: boolean };

/** Where the time went and where the audio went in one transcription (benchmarks, `--verbose`). */
export interface DecodeStats {
  /** Seconds of audio actually decoded (only the speech when VAD regions were given). */
  decodedSeconds: number;
  melMs: number;
  encoderRuns: number;
  encoderMs: number;
  /** Decoder runs (the first run of a pass feeds the whole prompt, the others one token per row). */
  decoderSteps: number;
  decoderMs: number;
  /** Extra decoding passes run by the temperature fallback (retries at T > 0). */
  fallbacks: number;
  /** Windows skipped as silence (digital-silence gate or the no-speech rule). */
  silentWindows: number;
  /** Speech found by the VAD, seconds (undefined without VAD), in how many regions... */
  vadSpeechSeconds?: number;
  vadRegions?: number;
  /** ...windows decoded, audio skipped as digital silence and as "no speech" (no text), loops cut... */
  windows: number;
  digitalSilenceSeconds: number;
  noSpeechSeconds: number;
  loopsCut: number;
  /** ...and the seconds the text segments cover. */
  textSeconds: number;
  /** Time spent timing words (the alignment run and its arithmetic), when word timings were asked for. */
  alignmentMs?: number;
  /** Word timings were asked for and this model's decoder could not give its cross-attention: no words. */
  wordTimingsUnavailable?: boolean;
  /** Tokens of the vocabulary left out of the prompt for want of room (0 when it fit or none was given). */
  vocabularyTokensCut?: number;
}

/** The speaker embedders: CAM++ (the overlap-aware method's) and GE2E (the fallback's); their similarities differ in scale. */
export type SpeakerEmbedderKind = 'campplus' | 'ge2e';
