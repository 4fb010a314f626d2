// Every message between the extension host (or any client) and the engine process, declared once.
// Style of vscode-languageclient: requests carry an id and get exactly one response with that id;
// notifications carry no id. Both sides import this module, so a reader sees the whole conversation here.
import type { ErrorInfo } from '../errors';
import type { ProgressEvent } from '../progress';
import type { Transcript } from '../transcript';

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
