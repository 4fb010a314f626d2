// One entry for every output format: `render(transcript, format)`. The renderer table is typed by
// OutputFormat, so adding a format to the protocol without a renderer fails to compile.
import type { OutputFormat } from '../protocol/messages';
import type { Transcript } from '../transcript';
import { renderJson } from './json';
import { renderMarkdown } from './markdown';
import { renderRttm } from './rttm';
import { renderSrt } from './srt';
import { renderTxt } from './txt';
import { renderVtt } from './vtt';

export type Renderer = (transcript: Transcript) => string;

export const RENDERERS: Readonly<Record<OutputFormat, Renderer>> = {
  md: renderMarkdown,
  srt: renderSrt,
  vtt: renderVtt,
  json: renderJson,
  txt: renderTxt,
  rttm: renderRttm,
};

export const OUTPUT_FORMATS = Object.keys(RENDERERS) as OutputFormat[];

/** Conventional file extension per format. */
export const FORMAT_EXTENSIONS: Readonly<Record<OutputFormat, string>> = { md: '.md', srt: '.srt', vtt: '.vtt', json: '.json', txt: '.txt', rttm: '.rttm' };

export function isOutputFormat(value: string): value is OutputFormat {
  return Object.prototype.hasOwnProperty.call(RENDERERS, value);
}

export function render(transcript: Transcript, format: OutputFormat): string {
  return RENDERERS[format](transcript);
}
