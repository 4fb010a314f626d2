// Every message between the extension host and the transcript webview, declared once (GitLens style: the host
// sends one whole State, the panel renders it; the panel sends back what the user did).
import type { Component } from '../progress';
import { EXPORT_FORMATS, type OutputFormat } from '../output/formats';

export interface PanelSegment {
  start: number;
  end: number;
  text: string;
  speaker?: string;
  /** With word timings: each word, a click plays it; unsure ones are underlined (with their probability). */
  words?: PanelWord[];
  /** Why this phrase may be invented (a loop, a repeat), when it may be. */
  suspect?: string;
}

export interface PanelWord {
  start: number;
  text: string;
  /** Set when Whisper was unsure of it: its probability. */
  unsure?: number;
}

export interface PanelState {
  status: 'idle' | 'recording' | 'transcribing' | 'finishing' | 'done' | 'error';
  /** What the panel is about: "Meeting 2026-12-01 23:50", a file name. */
  title: string;
  /** Recording: the audio level, 0–1, and seconds recorded. */
  level?: { rms: number; peak: number; seconds: number };
  /** File jobs: 0–100 per component. */
  progress: Partial<Record<Component, number>>;
  error?: string;
  /** Degraded modes and lost audio, e.g. "speakers found with the simple MFCC method". */
  banners: string[];
  /** Display names by speaker id (renames included). */
  speakers: Record<string, string>;
  /** Speakers whose voice the finished transcript holds: they get "Remember this voice as…". */
  voices: string[];
  segments: PanelSegment[];
  /** The phrase being spoken, not final yet. */
  partial?: { start: number; text: string };
  /** The transcription queue, when there is one: each recording's state and progress, and its summary once done. */
  queue?: { items: PanelQueueItem[]; summary?: string };
  /** The recording under the text (a webview URI): clicking a stamp plays from there. */
  audio?: { src: string };
  /** Export buttons, offered once there is a finished transcript (empty before). */
  exports: { format: OutputFormat; label: string }[];
}

export interface PanelQueueItem {
  name: string;
  status: 'waiting' | 'running' | 'done' | 'skipped' | 'failed' | 'cancelled';
  percent?: number;
  reason?: string;
}

export type HostToPanel =
  | { type: 'state'; state: PanelState }
  /** Play the recording from `seconds` (a "▶ play" on a stamp in the document). */
  | { type: 'seek'; seconds: number; until?: number };

export type PanelToHost =
  | { type: 'ready' }
  | { type: 'rename'; speaker: string; name: string }
  | { type: 'rememberVoice'; speaker: string }
  /** Two speakers are one person: `from`'s turns become `into`'s. */
  | { type: 'merge'; from: string; into: string }
  /** Cancel one recording of the queue (its index), or all that wait or run. */
  | { type: 'cancelQueued'; index: number }
  | { type: 'cancelQueue' }
  | { type: 'export'; format: OutputFormat }
  | { type: 'copyTimestamp'; seconds: number }
  | { type: 'reveal'; seconds: number };

/** Longest speaker name the panel may send (a name, not a document). */
export const MAX_SPEAKER_NAME = 200;

/**
 * The webview is a web page: what it posts is checked at run time before the host acts on it (TypeScript's types
 * end at the postMessage boundary). A message that is not one of PanelToHost, exactly, is undefined.
 */
export function parsePanelMessage(raw: unknown): PanelToHost | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const m = raw as Record<string, unknown>;
  const time = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  switch (m.type) {
    case 'ready':
      return { type: 'ready' };
    case 'rename':
      return typeof m.speaker === 'string' &&
        m.speaker.length > 0 &&
        m.speaker.length <= MAX_SPEAKER_NAME &&
        typeof m.name === 'string' &&
        m.name.length <= MAX_SPEAKER_NAME
        ? { type: 'rename', speaker: m.speaker, name: m.name }
        : undefined;
    case 'rememberVoice':
      return typeof m.speaker === 'string' && m.speaker.length > 0 && m.speaker.length <= MAX_SPEAKER_NAME
        ? { type: 'rememberVoice', speaker: m.speaker }
        : undefined;
    case 'merge': {
      const id = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= MAX_SPEAKER_NAME;
      return id(m.from) && id(m.into) && m.from !== m.into ? { type: 'merge', from: m.from as string, into: m.into as string } : undefined;
    }
    case 'cancelQueued':
      return typeof m.index === 'number' && Number.isInteger(m.index) && m.index >= 0 ? { type: 'cancelQueued', index: m.index } : undefined;
    case 'cancelQueue':
      return { type: 'cancelQueue' };
    case 'export':
      return (EXPORT_FORMATS as readonly unknown[]).includes(m.format) ? { type: 'export', format: m.format as OutputFormat } : undefined;
    case 'copyTimestamp':
    case 'reveal':
      return time(m.seconds) ? { type: m.type, seconds: m.seconds as number } : undefined;
    default:
      return undefined;
  }
}
