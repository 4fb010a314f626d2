// Every message between the extension host and the transcript webview, declared once (GitLens style: the host
// sends one whole State, the panel renders it; the panel sends back what the user did).
import type { Component } from '../progress';
import type { OutputFormat } from '../output/formats';

export interface PanelSegment {
  start: number;
  end: number;
  text: string;
  speaker?: string;
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
  segments: PanelSegment[];
  /** The phrase being spoken, not final yet. */
  partial?: { start: number; text: string };
  /** Export buttons, offered once there is a finished transcript (empty before). */
  exports: { format: OutputFormat; label: string }[];
}

export type HostToPanel = { type: 'state'; state: PanelState };

export type PanelToHost =
  | { type: 'ready' }
  | { type: 'rename'; speaker: string; name: string }
  | { type: 'export'; format: OutputFormat }
  | { type: 'copyTimestamp'; seconds: number }
  | { type: 'reveal'; seconds: number };
