// whisper_build.slice_logits_to_last: the vocabulary projection (a MatMul whose B is a [d_model, vocab] initializer,
// one per branch of the merged decoder) reads only the last LOGITS_KEPT_POSITIONS positions of its input, through a
// Slice inserted before it; the three int64 constants of the Slice are added to the main graph (even when no
// projection is found, as in Python). Idempotent.
import { int64Bytes, makeNode, tensorFromBytes } from '../onnx/build';
import { DATA_TYPE } from '../onnx/fieldNumbers';
import type { Graph, OnnxModel, OnnxNode } from '../onnx/model';
import { graphAndBranches } from './graphEdits';
import { LOGITS_KEPT_POSITIONS } from './recipe';

const INT64_MAX = (1n << 63n) - 1n;
const SLICED = '_last_positions';

export function* projectionNodes(model: OnnxModel, vocabSize: number): Generator<{ graph: Graph; node: OnnxNode }> {
  const dims = new Map(model.graph.initializers.map((t) => [t.name, t.dims]));
  for (const graph of graphAndBranches(model.graph)) {
    const local = new Map(graph.initializers.map((t) => [t.name, t.dims]));
    for (const node of graph.nodes) {
      if (node.opType !== 'MatMul' || node.inputs.length !== 2) continue;
      const d = local.get(node.inputs[1]) ?? dims.get(node.inputs[1]);
      if (d && d.length === 2 && d[1] === vocabSize) yield { graph, node };
    }
  }
}

/** Inserts the Slices; returns how many projections changed. */
export function sliceLogitsToLast(model: OnnxModel, vocabSize: number): number {
  const constants = [
    tensorFromBytes('logits_slice_starts', [1], DATA_TYPE.int64, int64Bytes([-LOGITS_KEPT_POSITIONS])),
    tensorFromBytes('logits_slice_ends', [1], DATA_TYPE.int64, int64Bytes([INT64_MAX])),
    tensorFromBytes('logits_slice_axes', [1], DATA_TYPE.int64, int64Bytes([1])),
  ];
  const have = new Set(model.graph.initializers.map((t) => t.name));
  for (const c of constants) if (!have.has(c.name)) model.graph.initializers.push(c);
  let changed = 0;
  for (const { graph, node } of [...projectionNodes(model, vocabSize)]) {
    if (node.inputs[0].endsWith(SLICED)) continue;
    const sliced = node.inputs[0] + SLICED;
    const slice = makeNode('Slice', [node.inputs[0], 'logits_slice_starts', 'logits_slice_ends', 'logits_slice_axes'], [sliced], {
      name: (node.name ?? '') + SLICED,
    });
    graph.nodes.splice(graph.nodes.indexOf(node), 0, slice);
    node.inputs[0] = sliced;
    changed++;
  }
  return changed;
}
