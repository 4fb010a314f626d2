// Every message between the extension host (or any client) and the engine process, declared once.
// Style of vscode-languageclient: requests carry an id and get exactly one response with that id;
// notifications carry no id. Both sides import this module, so a reader sees the whole conversation here.
import type { ErrorInfo } from '../errors';
import type { ProgressEvent } from '../progress';
import type { Transcript } from '../transcript';
import type { ProbeResult } from '../audio/decode';

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
}

/** Requests the client sends; each maps its params to its result type. */
export interface RequestMap {
  transcribe: { params: TranscribeParams; result: Transcript };
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
  /** Speech regions (from the `speech` request); undefined = decode the whole journal. */
  speech?: SpeechSpan[];
}

export interface TranscribeJournalResult {
  modelName: string;
  precision: Precision;
  language: string;
  segments: Transcript['segments'];
  warnings: string[];
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

/** Requests per child kind: the engine sends them, the child answers each id exactly once. */
export interface WorkerRequestMap {
  capture: { decode: { params: DecodeToJournalParams; result: { duration: number; samples: number } } };
  transcription: {
    /** Loads (or finds loaded) the model and VAD: lets the engine overlap loading with decoding. */
    load: { params: LoadModelParams; result: LoadModelResult };
    /** Silero VAD over the journal: the regions both transcription and diarization work on. */
    speech: { params: SpeechParams; result: SpeechSpan[] };
    transcribe: { params: TranscribeJournalParams; result: TranscribeJournalResult };
  };
  diarization: { diarize: { params: DiarizeJournalParams; result: DiarizeJournalResult } };
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
  | { type: 'response'; id: string; ok: true; result: unknown }
  | { type: 'response'; id: string; ok: false; error: ErrorInfo };
