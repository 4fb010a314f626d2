// The quantization recipe of the build toolchain (tools/models/whisper_build.py: INT8_SCHEMES, Q4_SCHEMES,
// EMBEDDING_BLOCK, LOGITS_KEPT_POSITIONS, ENCODER_HEADS_PER_ATTENTION), repeated here because users' machines have no
// Python. tools/models/tests/test_ts_quantizer.py fails when the two disagree (it compares the files they write).
import type { Precision } from '../vocabulary';

export type QuantizedPrecision = Exclude<Precision, 'fp32'>;

export interface WeightOnlyScheme {
  bits: 4 | 8;
  blockSize: number;
  /** MatMulNBits accuracy_level; undefined = float32 compute (the attribute is then not written). */
  accuracyLevel?: number;
}

export const GRAPHS = ['encoder_model', 'decoder_model_merged'] as const;
export type GraphName = (typeof GRAPHS)[number];

/** Each graph's MatMulNBits scheme per precision (the file suffixes are src/models/layout.ts's). */
export const SCHEMES: Record<QuantizedPrecision, Record<GraphName, WeightOnlyScheme>> = {
  int8: { encoder_model: { bits: 8, blockSize: 128 }, decoder_model_merged: { bits: 8, blockSize: 64, accuracyLevel: 4 } },
  q4: { encoder_model: { bits: 4, blockSize: 32 }, decoder_model_merged: { bits: 4, blockSize: 32, accuracyLevel: 4 } },
};

/** The token embedding of every quantized decoder: 8-bit blocks of this many values along d_model. */
export const EMBEDDING_BLOCK = 64;
/** Positions whose logits a multi-token decoder step returns. */
export const LOGITS_KEPT_POSITIONS = 4;
/** Heads per fused encoder MultiHeadAttention node. */
export const ENCODER_HEADS_PER_ATTENTION = 4;
