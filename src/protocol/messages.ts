// Every message between the extension host (or any client) and the engine process, declared once.
// Style of vscode-languageclient: requests carry an id and get exactly one response with that id;
// notifications carry no id. Both sides import this module, so a reader sees the whole conversation here.
import type { ErrorInfo } from '../errors';
import type { ProgressEvent } from '../progress';
import type { Transcript } from '../transcript';
import type { ProbeResult } from '../audio/decode';
import type { DecodeStats } from '../whisper/api';

export type OutputFormat = 'md' | 'srt' | 'vtt' | 'json' | 'txt' | 'rttm';
export type Precision = 'int8' | 'fp32';

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

export interface ChildStatus {
  kind: WorkerKind;
  pid?: number;
  state: 'starting' | 'idle' | 'busy' | 'restarting' | 'stopped';
  /** Restarts since the engine started. */
  restarts: number;
  vitals?: WorkerVitals;
  /** Highest RSS any heartbeat of this kind of child reported, bytes. */
  peakRss?: number;
  /** CPU affinity as applied ("cores 0-1") or why not ("not applied: …"). */
  affinity?: string;
}

export type LiveMode = 'dictation' | 'meeting';
export type RecorderProgram = 'sox' | 'rec' | 'arecord';

/** Where live audio comes from: the microphone, or (for scripts, benchmarks and tests) a media file. */
export type LiveSource =
  | { kind: 'microphone'; recorder?: RecorderProgram; device?: string }
  /** `realtime`: paced like a microphone (ffmpeg -re); else as fast as it decodes. */
  | { kind: 'file'; input: string; ffmpegPath?: string; realtime?: boolean };

export interface LiveStartParams {
  mode: LiveMode;
  source: LiveSource;
  model: string;
  language: string;
  precision: Precision;
  threads?: number;
  modelsPath?: string;
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
  /** Stops recording, finishes the phrases still queued, and answers with the whole transcript. */
  'live.stop': { params: { sessionId: string }; result: LiveResult };
  cancel: { params: { jobId: string }; result: { cancelled: boolean } };
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
  | { type: 'response'; id: string; ok: true; result: RequestMap[M]['result'] }
  | { type: 'response'; id: string; ok: false; error: ErrorInfo };

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

// ---------------------------------------------------------------------------------------------------------
// Engine ↔ child processes (capture, transcription, diarization). Same request/response shape as above; the
// audio itself never crosses IPC: the capture child writes it to a journal file (raw float32, 16 kHz mono)
// that the other children read, so a crashed child's work can be requeued from what is on disk.

export type WorkerKind = 'capture' | 'transcription' | 'diarization';

export interface SpeechSpan {
  /** Sample offsets in the 16 kHz journal. */
  start: number;
  end: number;
}

export interface DecodeToJournalParams {
  input: string;
  ffmpegPath?: string;
  /** The engine's probe of the input (it probes first, to report input errors before model errors). */
  probe?: ProbeResult;
  /** File the samples are written to (replaced whole: a restarted decode starts it again). */
  journal: string;
}

export interface LoadModelParams {
  modelDir: string;
  precision: Precision;
  threads: number;
  /** silero_vad.onnx, when installed. */
  vadFile?: string;
}

export interface LoadModelResult {
  modelName: string;
  /** The precision loaded (FP32 after an INT8 fallback). */
  precision: Precision;
  loadSeconds: number;
  warnings: string[];
}

export interface SpeechParams {
  journal: string;
  vadFile: string;
}

export interface TranscribeJournalParams extends LoadModelParams {
  journal: string;
  language: string;
  initialPrompt?: string;
  beamSize?: number;
  /** Speech regions (from the `speech` request); undefined = decode the whole journal. */
  speech?: SpeechSpan[];
}

export interface TranscribeJournalResult {
  modelName: string;
  precision: Precision;
  language: string;
  segments: Transcript['segments'];
  warnings: string[];
  stats?: DecodeStats;
}

export interface DiarizeJournalParams {
  journal: string;
  /** Speech regions; undefined = an energy gate in the child. */
  speech?: SpeechSpan[];
  modelDir: string;
  threads: number;
  speakers?: number;
  minSpeakers?: number;
  maxSpeakers?: number;
}

export interface DiarizeJournalResult {
  turns: { start: number; end: number; speaker: string }[];
  speakers: NonNullable<Transcript['speakers']>;
  method: string;
  reason: string;
  warnings: string[];
}

export interface RecordParams {
  source: LiveSource;
  /** The live WAV journal: created, or (after a restart of this child) repaired and appended to. */
  journal: string;
}

export interface RecordResult {
  samples: number;
  /** 'stopped': the engine cancelled the request (the user stopped); 'source-ended': a file source ran out. */
  reason: 'stopped' | 'source-ended';
}

/** Carried Silero state between VAD requests, so a stream split into requests scores like one stream. */
export interface VadStreamState {
  state: number[];
  context: number[];
}

export interface VadRangeParams {
  journal: string;
  vadFile: string;
  /** Sample range; `start` is where the previous request ended (multiples of 512). */
  start: number;
  end: number;
  carry?: VadStreamState;
}

export interface PhraseParams extends LoadModelParams {
  journal: string;
  start: number;
  end: number;
  language: string;
  initialPrompt?: string;
  /** Partial text while the phrase is still spoken: greedy only, no temperature fallback. */
  partial?: boolean;
}

export interface PhraseResult {
  text: string;
  language: string;
  /** Segments with times in seconds from the start of the journal. */
  segments: Transcript['segments'];
}

/** Notifications a child sends about a request it holds (besides progress and warnings). */
export type WorkerEvent =
  | { kind: 'level'; rms: number; peak: number; samples: number }
  | { kind: 'gap'; atSample: number; samples: number };

/** Requests per child kind: the engine sends them, the child answers each id exactly once. */
export interface WorkerRequestMap {
  capture: {
    decode: { params: DecodeToJournalParams; result: { duration: number; samples: number } };
    /** Records until cancelled (or the file source ends), appending to the journal as audio arrives. */
    record: { params: RecordParams; result: RecordResult };
  };
  transcription: {
    /** Transcribes one phrase (a journal range of at most 30 s). */
    phrase: { params: PhraseParams; result: PhraseResult };
    /** Loads (or finds loaded) the model and VAD: lets the engine overlap loading with decoding. */
    load: { params: LoadModelParams; result: LoadModelResult };
    /** Silero VAD over the journal: the regions both transcription and diarization work on. */
    speech: { params: SpeechParams; result: SpeechSpan[] };
    transcribe: { params: TranscribeJournalParams; result: TranscribeJournalResult };
  };
  diarization: {
    diarize: { params: DiarizeJournalParams; result: DiarizeJournalResult };
    /** Live speech detection: each 512-sample window's speech probability over a journal range, state carried. */
    vad: { params: VadRangeParams; result: { probs: number[]; carry: VadStreamState } };
    /** One speaker embedding for a journal range (null when it is too short to tell a speaker). */
    embed: { params: { journal: string; start: number; end: number; modelDir: string; threads: number }; result: { vector: number[] | null } };
  };
}

export type WorkerMethod<K extends WorkerKind> = keyof WorkerRequestMap[K] & string;
type WorkerEntry<K extends WorkerKind, M extends WorkerMethod<K>> = WorkerRequestMap[K][M] & { params: unknown; result: unknown };
export type WorkerParams<K extends WorkerKind, M extends WorkerMethod<K>> = WorkerEntry<K, M>['params'];
export type WorkerResult<K extends WorkerKind, M extends WorkerMethod<K>> = WorkerEntry<K, M>['result'];

export type EngineToWorker =
  | { type: 'request'; id: string; method: string; params: unknown }
  | { type: 'cancel'; id: string };

/** Resource figures a child reports of itself (process.cpuUsage / memoryUsage: no /proc parsing). */
export interface WorkerVitals {
  /** CPU use since the previous heartbeat, percent of one core. */
  cpuPercent: number;
  rss: number;
  /** The process's peak RSS so far (the kernel's maxrss), bytes. */
  peakRss: number;
}

export type WorkerToEngine =
  | { type: 'ready'; pid: number }
  | { type: 'heartbeat'; vitals: WorkerVitals }
  | { type: 'progress'; id: string; percent: number }
  | { type: 'warning'; id: string; message: string }
  | { type: 'event'; id: string; event: WorkerEvent }
  | { type: 'response'; id: string; ok: true; result: unknown }
  | { type: 'response'; id: string; ok: false; error: ErrorInfo };
