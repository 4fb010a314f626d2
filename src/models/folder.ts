// Validation of a Whisper model folder the user points at (offline machines, shared drives) and of an
// installed catalogue model. The layout is onnx-community's, the one src/whisper/session.ts loads.
import * as fs from 'fs';
import { isDirectory as isDir, isFile } from './files';
import * as path from 'path';
import { TranscrevError } from '../errors';
import { PRECISIONS, type Precision } from '../vocabulary';
import { whisperOnnxFiles } from './layout';

/** Text files every precision needs (src/whisper loads config, generation_config and tokenizer). */
export const REQUIRED_MODEL_FILES = ['config.json', 'generation_config.json', 'tokenizer.json'] as const;

export interface ModelFolderInfo {
  dir: string;
  /** Precisions whose encoder and merged decoder are both present, int8 first. */
  precisions: Precision[];
  /** Every encoder / decoder graph found under onnx/. */
  encoders: string[];
  decoders: string[];
  hasPreprocessorConfig: boolean;
}

function listOnnx(dir: string): string[] {
  const onnxDir = path.join(dir, 'onnx');
  try {
    return fs.readdirSync(onnxDir).filter((f) => f.endsWith('.onnx'));
  } catch {
    return [];
  }
}

/** Inspects a folder without throwing: what is present, what is missing. */
export function inspectModelFolder(dir: string): { info: ModelFolderInfo; missing: string[] } {
  const abs = path.resolve(dir);
  const missing: string[] = REQUIRED_MODEL_FILES.filter((f) => !isFile(path.join(abs, f)));
  const onnx = listOnnx(abs);
  const encoders = onnx.filter((f) => /^encoder_model.*\.onnx$/.test(f)).map((f) => `onnx/${f}`);
  const decoders = onnx.filter((f) => /^decoder_model_merged.*\.onnx$/.test(f)).map((f) => `onnx/${f}`);
  if (!encoders.length) missing.push('onnx/encoder_model*.onnx');
  if (!decoders.length) missing.push('onnx/decoder_model_merged*.onnx');
  const precisions = PRECISIONS.filter((p) => encoders.includes(whisperOnnxFiles(p).encoder) && decoders.includes(whisperOnnxFiles(p).decoder));
  if (encoders.length && decoders.length && !precisions.length) {
    missing.push('a matching pair onnx/encoder_model[_int8|_q4].onnx + onnx/decoder_model_merged[_int8|_q4].onnx');
  }
  const hasPreprocessorConfig = isFile(path.join(abs, 'preprocessor_config.json'));
  return { info: { dir: abs, precisions, encoders, decoders, hasPreprocessorConfig }, missing };
}

/**
 * Validates a user-chosen model folder. Throws one 'model' error listing everything that is missing,
 * so the user can fix the folder in one go.
 */
export function importModelFolder(dir: string): ModelFolderInfo {
  const abs = path.resolve(dir);
  if (!isDir(abs)) throw new TranscrevError('model', `Model folder not found: ${abs}`);
  const { info, missing } = inspectModelFolder(abs);
  if (missing.length) {
    throw new TranscrevError(
      'model',
      `${abs} is not a Whisper ONNX model folder: missing ${missing.join(', ')}. ` +
        `Expected the onnx-community layout (config.json, generation_config.json, tokenizer.json, ` +
        `onnx/encoder_model_int8.onnx, onnx/decoder_model_merged_int8.onnx).`,
    );
  }
  return info;
}
