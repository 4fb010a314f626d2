// The output library's entry: `render(transcript, format)` over the format records of formats.ts.
import type { Transcript } from '../transcript';
import { formatSpec, type OutputFormat } from './formats';
import type { RenderOptions } from './common';

export { EXPORT_FORMATS, FORMATS, formatSpec, OUTPUT_FORMATS, type FormatSpec, type OutputFormat } from './formats';

export type { RenderOptions } from './common';

export function render(transcript: Transcript, format: OutputFormat, options: RenderOptions = {}): string {
  return formatSpec(format).render(transcript, options);
}
