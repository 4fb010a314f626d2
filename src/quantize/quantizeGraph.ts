// One float Whisper graph to its quantized file, in the build toolchain's order (whisper_build.quantize_folder):
// encoder attention fused / decoder logits sliced, MatMul weights to MatMulNBits, the decoder's token embedding to
// 8-bit blocks, then written with its weights in `<file>_data`. The float graph itself is not changed.
import * as path from 'path';
import { TranscrevError } from '../errors';
import { readModelFile } from '../onnx/decode';
import type { OnnxModel } from '../onnx/model';
import { saveWithExternalData } from '../onnx/saveExternal';
import { TensorReader } from '../onnx/tensorData';
import { fuseEncoderAttention } from './encoderAttention';
import { sliceLogitsToLast } from './logitsSlice';
import { quantizeMatMulWeights } from './matMulNBits';
import { EMBEDDING_BLOCK, type GraphName, LOGITS_KEPT_POSITIONS, type WeightOnlyScheme } from './recipe';
import { quantizeTokenEmbedding } from './tokenEmbedding';

/** What the passes need of config.json. */
export interface WhisperDims {
  vocabSize: number;
  encoderAttentionHeads: number;
  dModel: number;
}

export interface GraphJob {
  graph: GraphName;
  source: string;
  output: string;
  scheme: WeightOnlyScheme;
  dims: WhisperDims;
}

export interface GraphJobOptions {
  signal?: AbortSignal;
  log: (line: string) => void;
  onTensor?: (sourceBytes: number) => void;
}

/** A float graph that does not decode: a truncated or damaged download, or its external data gone (not a bug here). */
export function unreadableGraph(file: string, cause: unknown): TranscrevError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new TranscrevError('model', `${file}: not a readable ONNX graph (${why}); download the model again`, { cause });
}

/** Quantizes `job.source` into `job.output` (and its `_data`); returns the files written. */
export async function quantizeGraphFile(job: GraphJob, options: GraphJobOptions): Promise<string[]> {
  const name = path.basename(job.output);
  const log = (line: string) => options.log(`${name}: ${line}`);
  // The structure only: weights, inline (base's float decoder: 314 MB, medium's: 2 GB) or external, are read one
  // tensor at a time when the output is written.
  let model: OnnxModel;
  try {
    model = readModelFile(job.source);
  } catch (e) {
    throw unreadableGraph(job.source, e);
  }
  options.signal?.throwIfAborted();
  const reader = new TensorReader();
  try {
    if (job.graph === 'encoder_model') {
      const fused = fuseEncoderAttention(model, job.dims.encoderAttentionHeads, job.dims.dModel);
      log(
        fused
          ? `${fused} self-attention blocks fused into MultiHeadAttention`
          : 'self-attention left unfused (not the pattern of the optimum export this recipe knows: another exporter)',
      );
    } else {
      const sliced = sliceLogitsToLast(model, job.dims.vocabSize);
      log(`logits of the last ${LOGITS_KEPT_POSITIONS} positions only (${sliced} projections)`);
    }
    const { bits, blockSize, accuracyLevel } = job.scheme;
    const matmuls = quantizeMatMulWeights(model, job.scheme, reader, log);
    log(`${matmuls} MatMuls to MatMulNBits: ${bits}-bit weights in blocks of ${blockSize}, ${accuracyLevel ? 'int8' : 'float32'} compute`);
    if (job.graph === 'decoder_model_merged') {
      const gathers = quantizeTokenEmbedding(model, job.dims.vocabSize, reader);
      log(`token embedding in 8-bit blocks of ${EMBEDDING_BLOCK} (${gathers} lookups)`);
    }
    return await saveWithExternalData(model, job.output, { reader, signal: options.signal, onTensor: options.onTensor });
  } finally {
    await reader.close();
  }
}
