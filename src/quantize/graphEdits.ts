// Small graph edits the passes share, each as the Python toolchain does it (onnxruntime's ONNXModel, onnx.helper).
import { graphAttribute } from '../onnx/build';
import { ATTRIBUTE, ATTRIBUTE_TYPE } from '../onnx/fieldNumbers';
import type { Attribute, Graph, OnnxModel, OnnxNode, Tensor } from '../onnx/model';
import { int64Value, readFields } from '../onnx/protobuf';

export const MICROSOFT_DOMAIN = 'com.microsoft';

export const hasSubgraphs = (node: OnnxNode): boolean => node.attributes.some((a) => a.type === ATTRIBUTE_TYPE.graph || a.type === ATTRIBUTE_TYPE.graphs);

export function subgraphsOf(attribute: Attribute): Graph[] {
  return attribute.graph ? [attribute.graph] : (attribute.graphs ?? []);
}

/**
 * A node with subgraphs as onnxruntime's quantizer rebuilds it (helper.make_node(op_type, input, output, name=name,
 * **attributes)): attributes sorted by name, subgraph attributes made anew; domain, doc_string and the rest dropped.
 */
export function remakeWithSubgraphs(node: OnnxNode): OnnxNode {
  const byName = new Map<string, Attribute>();
  for (const a of node.attributes) byName.set(a.name, a.graph ? graphAttribute(a.name, a.graph) : a.graphs ? graphAttribute(a.name, a.graphs) : a);
  const attributes = [...byName.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, a]) => a);
  return { inputs: [...node.inputs], outputs: [...node.outputs], name: node.name || undefined, opType: node.opType, attributes, other: [] };
}

/** The main graph, then the GRAPH attributes' subgraphs depth first (whisper_build._subgraphs: GRAPHS are not visited). */
export function* graphAndBranches(graph: Graph): Generator<Graph> {
  yield graph;
  for (const node of graph.nodes) for (const a of node.attributes) if (a.type === ATTRIBUTE_TYPE.graph && a.graph) yield* graphAndBranches(a.graph);
}

/** ONNXModel.set_opset_import / the toolchain's "add com.microsoft 1 if missing". */
export function setOpsetImport(model: OnnxModel, domain: string, version: number, onlyIfMissing = false): void {
  const found = model.opsetImports.find((o) => (o.domain ?? '') === domain);
  if (found) {
    if (!onlyIfMissing) found.version = version;
    return;
  }
  model.opsetImports.push({ domain, version, other: [] });
}

/** The initializer `name` searched from the innermost graph of `stack` outwards, and the graph holding it. */
export function findInitializer(name: string, stack: readonly Graph[]): { tensor: Tensor; graph: Graph } | undefined {
  for (let i = stack.length - 1; i >= 0; i--) {
    const tensor = stack[i].initializers.find((t) => t.name === name);
    if (tensor) return { tensor, graph: stack[i] };
  }
  return undefined;
}

/** An INT attribute's value (signed int64, as a number), or `fallback` when the node has none of that name. */
export function intAttribute(node: OnnxNode, name: string, fallback: number): number {
  const attribute = node.attributes.find((a) => a.name === name);
  if (!attribute) return fallback;
  const i = readFields(attribute.payload).find((f) => f.number === ATTRIBUTE.i);
  return i ? Number(int64Value(i)) : 0;
}
