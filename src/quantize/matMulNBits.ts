// Every MatMul whose B is a constant 2-D float32 initializer becomes com.microsoft MatMulNBits, as onnxruntime's
// MatMulNBitsQuantizer(DefaultWeightOnlyQuantConfig(asymmetric, QOperator)).process() then save_model_to_file() do:
// subgraphs first (a node with subgraphs is rebuilt by make_node), the quantized weight, scales and zero points
// appended to the graph that holds B (once per MatMul: both branches of a merged decoder quantize a shared weight,
// and the cleaning keeps one copy), the unused initializers removed, the main graph sorted topologically.
// The weights are quantized when the file is written, one at a time (TensorData 'derived').
import { makeNode } from '../onnx/build';
import { DATA_TYPE } from '../onnx/fieldNumbers';
import type { Graph, OnnxModel, OnnxNode, Tensor } from '../onnx/model';
import type { TensorReader } from '../onnx/tensorData';
import { blockwiseShapes, type BlockwiseQuantized, quantizeBlockwise } from './blockwiseQuantize';
import { cleanInitializers } from './cleanInitializers';
import { derivedTensors } from './derivedTensors';
import { findInitializer, hasSubgraphs, MICROSOFT_DOMAIN, remakeWithSubgraphs, setOpsetImport, subgraphsOf } from './graphEdits';
import type { WeightOnlyScheme } from './recipe';
import { topologicalSort } from './topologicalSort';

/** The packed weight, scales and zero points of one MatMul weight, quantized when written. */
function quantizedTensors(b: Tensor, K: number, N: number, scheme: WeightOnlyScheme, reader: TensorReader): Tensor[] {
  const { kBlocks, blobSize, zeroPointColumns } = blockwiseShapes(K, N, scheme.bits, scheme.blockSize);
  const compute = async () => quantizeBlockwise(await reader.floats(b), K, N, scheme.bits, scheme.blockSize);
  return derivedTensors<BlockwiseQuantized>(b, `MatMulNBits ${scheme.bits}/${scheme.blockSize}`, compute, [
    { suffix: `_Q${scheme.bits}`, dims: [N, kBlocks, blobSize], dataType: DATA_TYPE.uint8, pick: (q) => q.packed },
    { suffix: '_scales', dims: [N, kBlocks], dataType: DATA_TYPE.float, pick: (q) => q.scales },
    { suffix: '_zero_points', dims: [N, zeroPointColumns], dataType: DATA_TYPE.uint8, pick: (q) => q.zeroPoints },
  ]);
}

interface Context {
  scheme: WeightOnlyScheme;
  reader: TensorReader;
  log: (line: string) => void;
  quantized: number;
}

function quantizeMatMul(node: OnnxNode, stack: Graph[], ctx: Context): OnnxNode[] {
  const bName = node.inputs[1] ?? '';
  const found = findInitializer(bName, stack);
  if (!found) return [node];
  const { tensor: b, graph: bGraph } = found;
  if (b.dims.length < 2) return [node];
  if (b.dims.length > 2) {
    // onnxruntime squeezes unit leading dims and reshapes the output back; Whisper exports have none.
    ctx.log(`${node.name ?? 'MatMul'}: weight ${b.name} is ${b.dims.length}-D, left in float`);
    return [node];
  }
  if (b.dataType !== DATA_TYPE.float) {
    ctx.log(`${node.name ?? 'MatMul'}: weight ${b.name} has data type ${b.dataType}, not float32, left as it is`);
    return [node];
  }
  const [K, N] = b.dims;
  const [q, scales, zeroPoints] = quantizedTensors(b, K, N, ctx.scheme, ctx.reader);
  const input = bGraph.inputs.findIndex((i) => i.name === bName);
  if (input >= 0) bGraph.inputs.splice(input, 1);
  bGraph.initializers.push(q, scales, zeroPoints);
  ctx.quantized++;
  const attributes: Record<string, { int: number }> = {
    K: { int: K },
    N: { int: N },
    bits: { int: ctx.scheme.bits },
    block_size: { int: ctx.scheme.blockSize },
  };
  if (ctx.scheme.accuracyLevel) attributes.accuracy_level = { int: ctx.scheme.accuracyLevel };
  return [
    makeNode('MatMulNBits', [node.inputs[0], q.name, scales.name, zeroPoints.name], [node.outputs[0]], {
      name: node.name ? `${node.name}_Q${ctx.scheme.bits}` : undefined,
      domain: MICROSOFT_DOMAIN,
      attributes,
    }),
  ];
}

function processGraph(stack: Graph[], ctx: Context): void {
  const graph = stack[stack.length - 1];
  const nodes: OnnxNode[] = [];
  for (let node of graph.nodes) {
    if (hasSubgraphs(node)) {
      for (const a of node.attributes)
        for (const g of subgraphsOf(a)) {
          stack.push(g);
          processGraph(stack, ctx);
        }
      node = remakeWithSubgraphs(node);
    }
    nodes.push(...(node.opType === 'MatMul' ? quantizeMatMul(node, stack, ctx) : [node]));
  }
  graph.nodes = nodes;
  stack.pop();
}

/** Quantizes the model's MatMul weights in place (their values when written); returns how many MatMuls changed. */
export function quantizeMatMulWeights(model: OnnxModel, scheme: WeightOnlyScheme, reader: TensorReader, log: (line: string) => void = () => {}): number {
  const ctx: Context = { scheme, reader, log, quantized: 0 };
  setOpsetImport(model, MICROSOFT_DOMAIN, 1);
  processGraph([model.graph], ctx);
  cleanInitializers(model.graph);
  topologicalSort(model.graph);
  return ctx.quantized;
}
