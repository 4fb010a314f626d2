// The hub's *_int8 / *_quantized Whisper graphs are made by onnxruntime's quantize_dynamic: every activation is
// rounded to uint8 with one scale per tensor and multiplied with u8 × s8 instructions whose 16-bit pairs saturate on
// CPUs without VNNI, so the same file transcribes differently on AMD and Intel and drops words on quiet speech
// (docs/accuracy.md). Such a graph must not be run; this names the operators that give it away.
import { scanOperators } from '../onnx/fileScan';

export const DYNAMIC_QUANTIZATION_OPS = ['MatMulInteger', 'DynamicQuantizeLinear', 'ConvInteger', 'QLinearMatMul'] as const;

/** The dynamic-quantization operators present in the graph (subgraphs included), in DYNAMIC_QUANTIZATION_OPS order. */
export function findDynamicQuantization(graphPath: string): string[] {
  const present = new Set(scanOperators(graphPath).map((o) => o.opType));
  return DYNAMIC_QUANTIZATION_OPS.filter((op) => present.has(op));
}
