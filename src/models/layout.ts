// The files of a Whisper model folder (onnx-community/whisper-* layout, transformers.js names): one encoder and
// one merged decoder per precision, told apart by a suffix. The one place that knows these names.
import type { Precision } from '../vocabulary';

/** transformers.js dtype suffixes: fp32 has none, 8-bit "_int8", 4-bit "_q4". */
export const PRECISION_SUFFIX: Readonly<Record<Precision, string>> = { int8: '_int8', q4: '_q4', fp32: '' };

export function whisperOnnxFiles(precision: Precision): { encoder: string; decoder: string } {
  const suffix = PRECISION_SUFFIX[precision];
  return { encoder: `onnx/encoder_model${suffix}.onnx`, decoder: `onnx/decoder_model_merged${suffix}.onnx` };
}

/** The precision a graph file belongs to, or undefined for a file of no precision (configs, tokenizer). */
export function precisionOfFile(relativePath: string): Precision | undefined {
  const m = /^onnx\/(?:encoder_model|decoder_model_merged)(_int8|_q4)?\.onnx$/.exec(relativePath);
  if (!m) return undefined;
  return (Object.entries(PRECISION_SUFFIX) as [Precision, string][]).find(([, s]) => s === (m[1] ?? ''))?.[0];
}
