// Typed reader of the `transcrevai.*` settings, derived from the option records (src/options/registry.ts), and
// their mapping to the engine's requests. Deliberately vscode-free: it takes anything with WorkspaceConfiguration's
// `get`, so it is unit-tested without VS Code. Invalid values fall back to the default and are reported, never thrown.
import { checkSettingValue, defaultOf } from '../options/spec';
import { OPTIONS } from '../options/registry';
import { vocabularyPrompt } from '../options/vocabularyList';
import type { LiveStartParams, TranscribeParams } from '../protocol/client';
import type { LiveMode } from '../vocabulary';

type Records = (typeof OPTIONS)[number];
type SettingRecord = Extract<Records, { setting: unknown }>;
type ValueOf<V> = V extends { type: 'enum'; values: readonly (infer E)[] }
  ? E
  : V extends { type: 'string' }
    ? string
    : V extends { type: 'integer' | 'number' }
      ? number
      : V extends { type: 'boolean' }
        ? boolean
        : unknown;

/** Every setting, by its record key (`audioDevice` for `transcrevai.audio.device`). */
export type Settings = { [R in SettingRecord as R['key']]: ValueOf<R['value']> };

const SETTING_RECORDS = OPTIONS.filter((o): o is SettingRecord => 'setting' in o);

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.fromEntries(SETTING_RECORDS.map((o) => [o.key, defaultOf(o, 'setting')])) as Settings;

/** The part of vscode.WorkspaceConfiguration this module needs. */
export interface ConfigurationLike {
  get<T>(section: string): T | undefined;
}

export interface ReadSettings {
  settings: Settings;
  /** One line per ignored value, for the output channel. */
  problems: string[];
}

/** The key under `transcrevai.` in package.json: camelCase here, dotted groups there (audioDevice → audio.device). */
export function settingKey(key: keyof Settings): string {
  return SETTING_RECORDS.find((o) => o.key === key)!.setting.key;
}

export function readSettings(config: ConfigurationLike): ReadSettings {
  const problems: string[] = [];
  const settings: Record<string, unknown> = {};
  for (const o of SETTING_RECORDS) {
    const checked = checkSettingValue(o, config.get<unknown>(o.setting.key));
    if (!checked.ok) problems.push(checked.problem);
    settings[o.key] = checked.value;
  }
  return { settings: settings as Settings, problems };
}

/** Settings → the engine request for one file. Empty strings, 0 and beam 1 (greedy) become "let the engine decide". */
export function toTranscribeParams(settings: Settings, input: string, modelOverride?: string): TranscribeParams {
  const params: TranscribeParams = {
    input,
    model: modelOverride ?? settings.model,
    language: settings.language,
    precision: settings.precision,
  };
  if (settings.threads > 0) params.threads = settings.threads;
  if (settings.beamSize > 1) params.beamSize = settings.beamSize;
  const vocabulary = vocabularyPrompt(settings.vocabulary);
  if (vocabulary) params.vocabulary = vocabulary;
  if (settings.modelsPath) params.modelsPath = settings.modelsPath;
  if (settings.ffmpegPath) params.ffmpegPath = settings.ffmpegPath;
  if (settings.wordTimings || settings.wordCues) params.wordTimings = true;
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
  const vocabulary = vocabularyPrompt(settings.vocabulary);
  if (vocabulary) params.vocabulary = vocabulary;
  if (mode === 'meeting' && settings.speakers > 0) params.speakers = settings.speakers;
  // Meetings: the notes get their unsure words marked. Dictation types text only: no words to time.
  if (mode === 'meeting' && settings.wordTimings) params.wordTimings = true;
  if (recording) params.recording = recording;
  if (mode === 'dictation' && settings.dictationKeepRecording) params.keepRecording = true;
  return params;
}
