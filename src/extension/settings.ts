// Typed reader of the `transcrevai.*` settings and their mapping to the engine's TranscribeParams.
// Deliberately vscode-free: it takes anything with WorkspaceConfiguration's `get`, so the mapping is
// unit-tested without VS Code. Invalid values fall back to the default and are reported, never thrown.
import type { LiveMode, LiveStartParams, OutputFormat, Precision, RecorderProgram, TranscribeParams } from '../protocol/messages';

export const OUTPUT_FORMAT_VALUES: readonly OutputFormat[] = ['md', 'srt', 'vtt', 'json', 'txt'];
export const PRECISION_VALUES: readonly Precision[] = ['int8', 'fp32'];

export interface Settings {
  /** Catalogue name (tiny, base, small, medium, large-v3-turbo) or an absolute model folder. */
  model: string;
  /** 'auto' or a Whisper language code. */
  language: string;
  precision: Precision;
  /** 0 = automatic (engine core budget). */
  threads: number;
  /** '' = bundled / PATH ffmpeg. */
  ffmpegPath: string;
  /** '' = $TRANSCREVAI_MODELS or ~/.cache/transcrevai/models. */
  modelsPath: string;
  outputFormat: OutputFormat;
  /** Label speakers in file transcripts. */
  diarize: boolean;
  /** Exact number of speakers; 0 = automatic. */
  speakers: number;
  /** Input device for live audio; '' = the system default. */
  audioDevice: string;
  /** 'auto' = sox, else arecord on Linux. */
  audioRecorder: 'auto' | RecorderProgram;
  /** Model for dictation; '' = the same as `model` (a smaller one answers faster). */
  dictationModel: string;
  /** Keep the recording of a dictation (in the extension's storage). */
  dictationKeepRecording: boolean;
  /** Stop dictating when the VS Code window loses focus. */
  dictationStopOnFocusLoss: boolean;
  /** Where meeting notes and recordings go, relative to the first workspace folder (or absolute). */
  meetingsFolder: string;
}

export const DEFAULT_SETTINGS: Readonly<Settings> = {
  model: 'base',
  language: 'pt',
  precision: 'int8',
  threads: 0,
  ffmpegPath: '',
  modelsPath: '',
  outputFormat: 'md',
  diarize: true,
  speakers: 0,
  audioDevice: '',
  audioRecorder: 'auto',
  dictationModel: '',
  dictationKeepRecording: false,
  dictationStopOnFocusLoss: false,
  meetingsFolder: 'meetings',
};

const RECORDER_VALUES = ['auto', 'sox', 'rec', 'arecord'] as const;

/** The part of vscode.WorkspaceConfiguration this module needs. */
export interface ConfigurationLike {
  get<T>(section: string): T | undefined;
}

export interface ReadSettings {
  settings: Settings;
  /** One line per ignored value, for the output channel. */
  problems: string[];
}

const DOTTED_KEYS: Partial<Record<keyof Settings, string>> = {
  audioDevice: 'audio.device',
  audioRecorder: 'audio.recorder',
  dictationModel: 'dictation.model',
  dictationKeepRecording: 'dictation.keepRecording',
  dictationStopOnFocusLoss: 'dictation.stopOnFocusLoss',
  meetingsFolder: 'meetings.folder',
};

/** The key under `transcrevai.` in package.json: camelCase here, dotted groups there (audioDevice → audio.device). */
export function settingKey(key: keyof Settings): string {
  return DOTTED_KEYS[key] ?? key;
}

export function readSettings(config: ConfigurationLike): ReadSettings {
  const problems: string[] = [];
  const str = (key: keyof Settings, fallback: string, ok: (v: string) => boolean = () => true): string => {
    const v = config.get<unknown>(settingKey(key));
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'string' && ok(v.trim())) return v.trim();
    problems.push(`transcrevai.${settingKey(key)}: ignored invalid value ${JSON.stringify(v)}; using ${JSON.stringify(fallback)}`);
    return fallback;
  };
  const bool = (key: 'diarize' | 'dictationKeepRecording' | 'dictationStopOnFocusLoss'): boolean => {
    const v = config.get<unknown>(settingKey(key));
    if (typeof v === 'boolean') return v;
    if (v !== undefined && v !== null) problems.push(`transcrevai.${settingKey(key)}: ignored invalid value ${JSON.stringify(v)}; using ${DEFAULT_SETTINGS[key]}`);
    return DEFAULT_SETTINGS[key];
  };
  const model = str('model', DEFAULT_SETTINGS.model, (v) => v.length > 0);
  const language = str('language', DEFAULT_SETTINGS.language, (v) => /^(auto|[a-z]{2,3}|haw|yue)$/i.test(v)).toLowerCase();
  const precision = str('precision', DEFAULT_SETTINGS.precision, (v) => (PRECISION_VALUES as readonly string[]).includes(v)) as Precision;
  const outputFormat = str('outputFormat', DEFAULT_SETTINGS.outputFormat, (v) => (OUTPUT_FORMAT_VALUES as readonly string[]).includes(v)) as OutputFormat;
  const ffmpegPath = str('ffmpegPath', DEFAULT_SETTINGS.ffmpegPath);
  const modelsPath = str('modelsPath', DEFAULT_SETTINGS.modelsPath);
  const int = (key: 'threads' | 'speakers', max: number): number => {
    const v = config.get<unknown>(key);
    if (v === undefined || v === null) return DEFAULT_SETTINGS[key];
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max) return v;
    problems.push(`transcrevai.${key}: ignored invalid value ${JSON.stringify(v)}; using 0 (automatic)`);
    return DEFAULT_SETTINGS[key];
  };
  const threads = int('threads', 256);
  const speakers = int('speakers', 32);
  const diarize = bool('diarize');
  const audioDevice = str('audioDevice', DEFAULT_SETTINGS.audioDevice);
  const audioRecorder = str('audioRecorder', DEFAULT_SETTINGS.audioRecorder, (v) => (RECORDER_VALUES as readonly string[]).includes(v)) as Settings['audioRecorder'];
  const dictationModel = str('dictationModel', DEFAULT_SETTINGS.dictationModel);
  const dictationKeepRecording = bool('dictationKeepRecording');
  const dictationStopOnFocusLoss = bool('dictationStopOnFocusLoss');
  const meetingsFolder = str('meetingsFolder', DEFAULT_SETTINGS.meetingsFolder, (v) => v.length > 0);
  return {
    settings: { model, language, precision, threads, ffmpegPath, modelsPath, outputFormat, diarize, speakers, audioDevice, audioRecorder, dictationModel, dictationKeepRecording, dictationStopOnFocusLoss, meetingsFolder },
    problems,
  };
}

/** Settings → the engine request for one file. Empty strings and 0 become "let the engine decide". */
export function toTranscribeParams(settings: Settings, input: string, modelOverride?: string): TranscribeParams {
  const params: TranscribeParams = {
    input,
    model: modelOverride ?? settings.model,
    language: settings.language,
    precision: settings.precision,
  };
  if (settings.threads > 0) params.threads = settings.threads;
  if (settings.modelsPath) params.modelsPath = settings.modelsPath;
  if (settings.ffmpegPath) params.ffmpegPath = settings.ffmpegPath;
  if (settings.diarize) {
    params.diarize = true;
    if (settings.speakers > 0) params.speakers = settings.speakers;
  }
  return params;
}

/** True when the model setting names a folder rather than a catalogue entry. */
export function isModelPath(model: string): boolean {
  return model.includes('/') || model.includes('\\') || model.startsWith('.') || model.startsWith('~');
}

/** Settings → the engine request for a live session from the microphone. */
export function toLiveStartParams(settings: Settings, mode: LiveMode, model: string, recording?: string): LiveStartParams {
  const params: LiveStartParams = {
    mode,
    source: {
      kind: 'microphone',
      ...(settings.audioRecorder !== 'auto' && { recorder: settings.audioRecorder }),
      ...(settings.audioDevice && { device: settings.audioDevice }),
    },
    model,
    language: settings.language,
    precision: settings.precision,
  };
  if (settings.threads > 0) params.threads = settings.threads;
  if (settings.modelsPath) params.modelsPath = settings.modelsPath;
  if (mode === 'meeting' && settings.speakers > 0) params.speakers = settings.speakers;
  if (recording) params.recording = recording;
  if (mode === 'dictation' && settings.dictationKeepRecording) params.keepRecording = true;
  return params;
}
