// Every output format, one record each: adding a format is one record here plus its renderer. The CLI's
// --format, the transcrevai.outputFormat setting (and its package.json enum, checked by a test), the panel's
// export buttons, file names and the language of an untitled document are all read from this table.
import type { Transcript } from '../transcript';
import type { RenderOptions } from './common';
import { renderJson } from './json';
import { renderMarkdown } from './markdown';
import { renderRttm } from './rttm';
import { renderSrt } from './srt';
import { renderTxt } from './txt';
import { renderVtt } from './vtt';

export interface FormatSpec {
  id: string;
  /** Shown on export buttons and in the settings UI. */
  label: string;
  /** What the setting's enum description says. */
  description: string;
  /** File extension, with the dot. */
  extension: string;
  /** VS Code language id of an untitled document holding it. */
  languageId: string;
  /** Offered as a setting and an export button (RTTM is speaker turns for scoring tools: CLI only). */
  exportable: boolean;
  render(transcript: Transcript, options?: RenderOptions): string;
}

export const FORMATS = [
  {
    id: 'md',
    label: 'Markdown',
    description: 'Markdown, speaker turns with [hh:mm:ss] stamps.',
    extension: '.md',
    languageId: 'markdown',
    exportable: true,
    render: renderMarkdown,
  },
  { id: 'srt', label: 'SRT', description: 'SubRip subtitles.', extension: '.srt', languageId: 'plaintext', exportable: true, render: renderSrt },
  { id: 'vtt', label: 'VTT', description: 'WebVTT subtitles.', extension: '.vtt', languageId: 'plaintext', exportable: true, render: renderVtt },
  {
    id: 'json',
    label: 'JSON',
    description: 'JSON with segments, speakers and timing (the CLI contract).',
    extension: '.json',
    languageId: 'json',
    exportable: true,
    render: renderJson,
  },
  { id: 'txt', label: 'TXT', description: 'Plain text.', extension: '.txt', languageId: 'plaintext', exportable: true, render: renderTxt },
  {
    id: 'rttm',
    label: 'RTTM',
    description: 'Speaker turns (NIST RTTM) for diarization scoring tools.',
    extension: '.rttm',
    languageId: 'plaintext',
    exportable: false,
    render: renderRttm,
  },
] as const satisfies readonly FormatSpec[];

export type OutputFormat = (typeof FORMATS)[number]['id'];
export const OUTPUT_FORMATS: readonly OutputFormat[] = FORMATS.map((f) => f.id);
export const EXPORT_FORMATS: readonly OutputFormat[] = FORMATS.filter((f) => f.exportable).map((f) => f.id);

export function formatSpec(id: OutputFormat): FormatSpec {
  return FORMATS.find((f) => f.id === id)!;
}
