// Typed reader of the `transcrevai.*` settings and their mapping to the engine's TranscribeParams.
// Deliberately vscode-free: it takes anything with WorkspaceConfiguration's `get`, so the mapping is
// unit-tested without VS Code. Invalid values fall back to the default and are reported, never thrown.
import type { OutputFormat, Precision, TranscribeParams } from '../protocol/messages';

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
};

/** The part of vscode.WorkspaceConfiguration this module needs. */
export interface ConfigurationLike {
  get<T>(section: string): T | undefined;
}

export interface ReadSettings {
  settings: Settings;
  /** One line per ignored value, for the output channel. */
  problems: string[];
}

export function readSettings(config: ConfigurationLike): ReadSettings {
  const problems: string[] = [];
  const str = (key: keyof Settings, fallback: string, ok: (v: string) => boolean = () => true): string => {
    const v = config.get<unknown>(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'string' && ok(v.trim())) return v.trim();
    problems.push(`transcrevai.${key}: ignored invalid value ${JSON.stringify(v)}; using ${JSON.stringify(fallback)}`);
    return fallback;
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
  let diarize = DEFAULT_SETTINGS.diarize;
  const rawDiarize = config.get<unknown>('diarize');
  if (typeof rawDiarize === 'boolean') diarize = rawDiarize;
  else if (rawDiarize !== undefined && rawDiarize !== null) problems.push(`transcrevai.diarize: ignored invalid value ${JSON.stringify(rawDiarize)}; using ${diarize}`);
  return { settings: { model, language, precision, threads, ffmpegPath, modelsPath, outputFormat, diarize, speakers }, problems };
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
