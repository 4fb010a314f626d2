// The hub's *_int8 / *_quantized Whisper graphs are dynamically quantized (MatMulInteger after
// DynamicQuantizeLinear: every activation tensor rounded to 8 bits with one scale): measured in issue #26, they
// lose words on quiet meeting speech, and the u8×s8 kernels of CPUs without VNNI saturate, so one file transcribes
// differently on AMD and Intel. TranscrevAI never runs them; a folder that holds one is told how to fix it.
import * as fs from 'fs';
import * as path from 'path';
import type { Precision } from '../vocabulary';
import { whisperOnnxFiles } from './layout';
import { findDynamicQuantization } from '../quantize/dynamicOps';

/** Graph path → [size, mtime, ops]: a graph is read once per change, not at every check. */
const seen = new Map<string, { size: number; mtimeMs: number; ops: string[] }>();

/** The dynamic-quantization operators in a graph (empty for float and weight-only graphs, or an unreadable file). */
export function dynamicOpsOf(graph: string): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(graph);
  } catch {
    return [];
  }
  const cached = seen.get(graph);
  if (cached && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs) return cached.ops;
  let ops: string[];
  try {
    ops = findDynamicQuantization(graph);
  } catch {
    ops = [];
  }
  seen.set(graph, { size: stat.size, mtimeMs: stat.mtimeMs, ops });
  return ops;
}

/**
 * Why the `precision` graphs of a model folder must not be used, or undefined when they may: a sentence that
 * names the operators found and the fix (make the graph here from the float one).
 */
export function quantizedGraphProblem(dir: string, precision: Precision): string | undefined {
  if (precision === 'fp32') return undefined;
  const { encoder, decoder } = whisperOnnxFiles(precision);
  const found = [encoder, decoder].map((g) => ({ g, ops: dynamicOpsOf(path.join(dir, ...g.split('/'))) })).filter((x) => x.ops.length);
  if (!found.length) return undefined;
  const ops = [...new Set(found.flatMap((x) => x.ops))].join(', ');
  return (
    `${found.map((x) => x.g).join(' and ')} in ${dir} ${found.length > 1 ? 'are' : 'is'} dynamically quantized (${ops}): ` +
    `activations rounded per tensor lose words on quiet speech and differ from one CPU to another. ` +
    `Make weight-only ${precision} graphs from the float ones with "transcrevai quantize ${dir} --precision ${precision}" ` +
    `(needs onnx/encoder_model.onnx and onnx/decoder_model_merged.onnx), or download the model again with "transcrevai download".`
  );
}
