// The channel between the engine and its child processes (capture, transcription, diarization), declared once.
// Same request/response shape as the client channel (client.ts); the audio itself never crosses IPC: the capture
// child writes it to a journal file (raw float32, 16 kHz mono) that the other children read, so a crashed child's
// work can be requeued from what is on disk. Direction:
//   engine → child: EngineToWorker (request with WorkerRequestMap[kind] params, cancel)
//   child → engine: WorkerToEngine (ready, heartbeat with vitals, progress, warning, event, response per id)
import type { ErrorInfo } from '../errors';
import type { SpeakerVoices, Transcript } from '../transcript';
import type { DecodeStats, LiveSource, MediaProbe, Precision, SpeakerEmbedderKind, SpeechRegion } from '../vocabulary';

export type WorkerKind = 'capture' | 'transcription' | 'diarization';

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

export interface DecodeToJournalParams {
  input: string;
  ffmpegPath?: string;
  /** The engine's probe of the input (it probes first, to report input errors before model errors). */
  probe?: MediaProbe;
  /** File the samples are written to (replaced whole: a restarted decode starts it again). */
  journal: string;
}

export interface LoadModelParams {
  modelDir: string;
  precision: Precision;
  threads: number;
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
  /** Words to spell right, leading every window's prompt (DecodeOptions.vocabulary). */
  vocabulary?: string;
  beamSize?: number;
  /** Time every word (DecodeOptions.wordTimestamps). */
  wordTimings?: boolean;
  /** Speech regions (from the `speech` request); undefined = decode the whole journal. */
  speech?: SpeechRegion[];
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
  speech?: SpeechRegion[];
  /** The GE2E speaker model's folder (the fallback method). */
  modelDir: string;
  /** The overlap-aware method's models (speaker segmentation, CAM++); undefined = the models folder's. */
  overlapDirs?: { segmentation: string; embedder: string };
  threads: number;
  speakers?: number;
  minSpeakers?: number;
  maxSpeakers?: number;
  /**
   * 'fallback-mfcc': the model-free MFCC method (the engine's own fallback once the diarization child is past its
   * restarts). 'overlap-aware': that method alone, asked for before the VAD has found the speech (it finds speech
   * itself); when its models are missing or fail, the request fails with a 'model' error and the engine asks again
   * with the speech, for the GE2E method.
   */
  method?: 'fallback-mfcc' | 'overlap-aware';
}

export interface DiarizeJournalResult {
  /** Who talks when; two turns may overlap (two people at once). */
  turns: { start: number; end: number; speaker: string }[];
  /** One speaker at a time, for placing words (absent: use turns). */
  exclusiveTurns?: { start: number; end: number; speaker: string }[];
  speakers: NonNullable<Transcript['speakers']>;
  method: string;
  reason: string;
  warnings: string[];
  voices?: SpeakerVoices;
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
  vocabulary?: string;
  /** Partial text while the phrase is still spoken: greedy only, no temperature fallback. */
  partial?: boolean;
  /** Time the words (DecodeOptions.wordTimestamps); never for a partial. */
  wordTimings?: boolean;
}

export interface PhraseResult {
  text: string;
  language: string;
  /** Segments with times in seconds from the start of the journal. */
  segments: Transcript['segments'];
}

/** Notifications a child sends about a request it holds (besides progress and warnings). */
export type WorkerEvent = { kind: 'level'; rms: number; peak: number; samples: number } | { kind: 'gap'; atSample: number; samples: number };

/** Requests per child kind: the engine sends them, the child answers each id exactly once. */
export interface WorkerRequestMap {
  capture: {
    decode: { params: DecodeToJournalParams; result: { duration: number; samples: number; clippedSamples: number } };
    /** Records until cancelled (or the file source ends), appending to the journal as audio arrives. */
    record: { params: RecordParams; result: RecordResult };
  };
  transcription: {
    /** Transcribes one phrase (a journal range of at most 30 s). */
    phrase: { params: PhraseParams; result: PhraseResult };
    /** Loads (or finds loaded) the model and VAD: lets the engine overlap loading with decoding. */
    load: { params: LoadModelParams; result: LoadModelResult };
    /** Silero VAD over the journal: the regions both transcription and diarization work on. */
    speech: { params: SpeechParams; result: SpeechRegion[] };
    transcribe: { params: TranscribeJournalParams; result: TranscribeJournalResult };
  };
  diarization: {
    diarize: { params: DiarizeJournalParams; result: DiarizeJournalResult };
    /** Live speech detection: each 512-sample window's speech probability over a journal range, state carried. */
    vad: { params: VadRangeParams; result: { probs: number[]; carry: VadStreamState } };
    /** One speaker embedding for a journal range (null when it is too short to tell a speaker). */
    embed: {
      params: { journal: string; start: number; end: number; modelDir: string; overlapDirs?: { segmentation: string; embedder: string }; threads: number };
      /** `embedder`: which model made the vector (CAM++ when it loads, else GE2E): their similarities differ in scale. */
      result: { vector: number[] | null; embedder: SpeakerEmbedderKind };
    };
  };
}

export type WorkerMethod<K extends WorkerKind> = keyof WorkerRequestMap[K] & string;
type WorkerEntry<K extends WorkerKind, M extends WorkerMethod<K>> = WorkerRequestMap[K][M] & { params: unknown; result: unknown };
export type WorkerParams<K extends WorkerKind, M extends WorkerMethod<K>> = WorkerEntry<K, M>['params'];
export type WorkerResult<K extends WorkerKind, M extends WorkerMethod<K>> = WorkerEntry<K, M>['result'];

export type EngineToWorker = { type: 'request'; id: string; method: string; params: unknown } | { type: 'cancel'; id: string };

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
  /** The child is about to kill itself with `signal` (the crash fault): Windows reports that as exit code 1. */
  | { type: 'dying'; signal: NodeJS.Signals }
  | { type: 'heartbeat'; vitals: WorkerVitals }
  /** Entering (true) or leaving a native call that holds the child's event loop (src/nativeRun.ts): no beats meanwhile. */
  | { type: 'native-call'; inside: boolean }
  | { type: 'progress'; id: string; percent: number }
  | { type: 'warning'; id: string; message: string }
  | { type: 'event'; id: string; event: WorkerEvent }
  | { type: 'response'; id: string; ok: true; result: unknown }
  | { type: 'response'; id: string; ok: false; error: ErrorInfo };
