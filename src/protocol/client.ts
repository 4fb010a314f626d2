// The channel between the extension host (or any client: the CLI, tests) and the engine process, declared once.
// Style of vscode-languageclient: requests carry an id and get exactly one response with that id; notifications
// carry no id. Both sides import this module, so a reader sees the whole conversation here. Direction:
//   client → engine: RequestMessage (RequestMap: transcribe, live.start, live.context, live.stop, cancel, status, shutdown)
//   engine → client: ResponseMessage (one per request id) and EngineNotification (ready, progress, live, warning, log)
import type { ErrorInfo } from '../errors';
import type { ProgressEvent } from '../progress';
import type { Transcript, VoiceProfile } from '../transcript';
import type { LiveMode, LiveSource, Precision } from '../vocabulary';
import type { ChildStatus } from './worker';

export interface TranscribeParams {
  /** Absolute path of the media file. */
  input: string;
  /** Catalogue name (tiny, base, small, ...) or a model directory. */
  model: string;
  /** 'auto' for detection, or a Whisper language code such as 'pt' or 'en'. */
  language: string;
  precision: Precision;
  /** Intra-op threads for onnxruntime; undefined = core budget max(1, cpus - 2). */
  threads?: number;
  /** Overrides the models root ($TRANSCREVAI_MODELS / ~/.cache/transcrevai/models). */
  modelsPath?: string;
  /** Overrides ffmpeg discovery. */
  ffmpegPath?: string;
  initialPrompt?: string;
  /** Names and jargon to spell right, e.g. "Nestor Pestana, FalaBrasil" (the `vocabulary` option). */
  vocabulary?: string;
  /** Remembered voices: a speaker whose voice matches one is labelled with its name. */
  voices?: VoiceProfile[];
  /** Time every word and give its probability (segments get `words`). */
  wordTimings?: boolean;
  /** Beam search width (1 = greedy); undefined = the default (DEFAULT_BEAM_SIZE). */
  beamSize?: number;
  /** Label speakers (also implied by speakers / minSpeakers / maxSpeakers). */
  diarize?: boolean;
  /** Exact number of speakers; else automatic within [minSpeakers, maxSpeakers]. */
  speakers?: number;
  minSpeakers?: number;
  maxSpeakers?: number;
}

export interface EngineStatus {
  pid: number;
  uptime: number;
  /** Models currently loaded, e.g. "base/int8". */
  loadedModels: string[];
  activeJobs: string[];
  /** Jobs waiting for the running one (the engine runs one transcription at a time). */
  queuedJobs: string[];
  rss: number;
  /** Default intra-op threads: max(1, availableParallelism - 2). */
  coreBudget: number;
  /** The ffmpeg the engine decodes with, or why none was found. */
  ffmpeg: { path: string; source: 'setting' | 'ffmpeg-static' | 'path' } | { error: string };
  /** Whether the Silero VAD model was found (without it, whole inputs are decoded). */
  vad: boolean;
  /** The supervised children, with the CPU and memory each reported at its last heartbeat. */
  processes: ChildStatus[];
  /** The machine's memory, bytes. */
  system: { totalMemory: number; freeMemory: number };
}

export interface LiveStartParams {
  mode: LiveMode;
  source: LiveSource;
  model: string;
  language: string;
  precision: Precision;
  threads?: number;
  modelsPath?: string;
  /** Names and jargon to spell right (the `vocabulary` option). */
  vocabulary?: string;
  /** Remembered voices, for the meeting's speakers. */
  voices?: VoiceProfile[];
  /** Time the words of each final phrase (meetings: the notes' unsure words, speaker turns split at words). */
  wordTimings?: boolean;
  /**
   * Where the recording (16 kHz mono WAV) is written. Meetings keep it; dictation deletes it at the end
   * unless `keepRecording`. Default: a file in the temporary folder.
   */
  recording?: string;
  keepRecording?: boolean;
  /** Meetings: speaker count for the final diarization. */
  speakers?: number;
  /** Phrases waiting for transcription before the VAD stage pauses (default 50). */
  queueCapacity?: number;
  /**
   * Dictation into an editor: the text before the cursor as the session starts (its last PROMPT_TEXT_CHARS). Each
   * phrase is decoded with the text it follows as Whisper's previous text, after the vocabulary, and cased to fit
   * it; later changes come with `live.context`. Without it, phrases follow the session's own earlier phrases.
   */
  context?: string;
}

/** A stretch of the recording with no audio: the capture process was restarted meanwhile. */
export interface RecordingGap {
  /** Seconds from the start of the recording. */
  start: number;
  duration: number;
}

export interface LiveResult {
  sessionId: string;
  mode: LiveMode;
  /** When recording started, ISO 8601. */
  startedAt: string;
  /** Final text: every phrase, speaker-labelled by a diarization over the whole recording for meetings. */
  transcript: Transcript;
  /** The kept recording, if any. */
  recording?: string;
  gaps: RecordingGap[];
  /** How far the slowest stage fell behind: most phrases ever waiting at once. */
  queuePeak: number;
}

/** A finished phrase, as it is transcribed. Seconds from the start of the recording. */
export interface LiveSegment {
  start: number;
  end: number;
  text: string;
  /** Meetings: a provisional label from online clustering; the final transcript may renumber speakers. */
  speaker?: string;
  /** From the moment the VAD closed the phrase (the end of the phrase) to this event, ms. */
  latencyMs?: number;
  /** Microphone sources: from the moment the phrase's last sample was recorded to this event, ms. */
  audioLatencyMs?: number;
}

export type LiveEvent =
  | { kind: 'level'; rms: number; peak: number; seconds: number }
  /** The phrase being spoken, refreshed about once a second; replaced by `final` or removed by `drop`. */
  | { kind: 'partial'; start: number; text: string }
  | { kind: 'final'; segment: LiveSegment }
  | { kind: 'drop'; start: number }
  | { kind: 'gap'; gap: RecordingGap }
  /** The live session stopped by itself (file source ended, or an error: see the stop request's answer). */
  | { kind: 'ended'; reason: 'source-ended' | 'error'; message?: string };

/** Requests the client sends; each maps its params to its result type. */
export interface RequestMap {
  transcribe: { params: TranscribeParams; result: Transcript };
  /** Starts recording; the answer comes once capture runs. Events arrive as `live` notifications. */
  'live.start': { params: LiveStartParams; result: { sessionId: string; recording: string } };
  /**
   * Dictation: the text before the cursor changed (typing, a move of the cursor, an inserted phrase). `before` was
   * read once the client had handled (inserted, or failed to) the session's first `phrases` final phrases: the
   * engine adds the later ones, which the editor does not show yet.
   */
  'live.context': { params: { sessionId: string; before: string; phrases: number }; result: { ok: true } };
  /** Stops recording, finishes the phrases still queued, and answers with the whole transcript. */
  'live.stop': { params: { sessionId: string }; result: LiveResult };
  cancel: { params: { jobId: string }; result: { cancelled: boolean } };
  /**
   * What the transcript panel can play for a recording: the recording itself, or a playback copy made in `folder`
   * (Opus) when the webview cannot play its codec or container.
   */
  playback: { params: { input: string; folder: string; ffmpegPath?: string }; result: { file: string; copied: boolean } };
  /** `ffmpegPath` / `modelsPath` let the client ask about the settings it would transcribe with. */
  status: { params: { ffmpegPath?: string; modelsPath?: string }; result: EngineStatus };
  shutdown: { params: Record<string, never>; result: { ok: true } };
}

export type RequestMethod = keyof RequestMap;

export interface RequestMessage<M extends RequestMethod = RequestMethod> {
  type: 'request';
  id: string;
  method: M;
  params: RequestMap[M]['params'];
}

export type ResponseMessage<M extends RequestMethod = RequestMethod> =
  { type: 'response'; id: string; ok: true; result: RequestMap[M]['result'] } | { type: 'response'; id: string; ok: false; error: ErrorInfo };

/** Notifications the engine sends on its own. `jobId` is the id of the request that started the job. */
export type EngineNotification =
  | { type: 'ready'; pid: number; startupMs: number }
  | { type: 'progress'; jobId: string; progress: ProgressEvent }
  | { type: 'live'; sessionId: string; event: LiveEvent }
  | { type: 'warning'; jobId?: string; message: string }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string };

export type ClientToEngine = RequestMessage;
export type EngineToClient = ResponseMessage | EngineNotification;

export function isResponse(message: EngineToClient): message is ResponseMessage {
  return message.type === 'response';
}
