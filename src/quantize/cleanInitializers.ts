// onnxruntime's ONNXModel.clean_initializers (_clean_initializers_helper): drop every initializer no node of its graph
// or of a subgraph reads, and the graph input of the same name. Mirrored step for step because the order it leaves
// matters: it removes a duplicate with list.remove, which takes the FIRST equal element, so of two equal copies the
// later one stays (a weight shared by both branches of a merged decoder is quantized twice; the copy appended for the
// second branch is the one kept, at its place).
import type { Graph, Tensor, ValueInfo } from '../onnx/model';
import { sameStoredBytes } from '../onnx/tensorData';
import { hasSubgraphs, remakeWithSubgraphs, subgraphsOf } from './graphEdits';

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

/** Protobuf message equality of two initializers (for derived tensors: the same source and recipe). */
export function sameTensor(a: Tensor, b: Tensor): boolean {
  if (a === b) return true;
  if (a.name !== b.name || a.dataType !== b.dataType || a.defaultLocationWritten !== b.defaultLocationWritten) return false;
  if (a.dims.length !== b.dims.length || a.dims.some((d, i) => d !== b.dims[i])) return false;
  if (a.other.length !== b.other.length || a.other.some((f, i) => !sameBytes(f.raw, b.other[i].raw))) return false;
  const x = a.data;
  const y = b.data;
  if ((x.kind === 'bytes' || x.kind === 'file') && (y.kind === 'bytes' || y.kind === 'file')) return sameStoredBytes(x, y);
  if (x.kind === 'derived' && y.kind === 'derived') return x.identity.source === y.identity.source && x.identity.recipe === y.identity.recipe;
  return x.kind === 'fields' && y.kind === 'fields';
}

function removeFirstEqual<T>(list: T[], item: T, equal: (a: T, b: T) => boolean): void {
  const at = list.findIndex((x) => equal(x, item));
  if (at >= 0) list.splice(at, 1);
}

/** Cleans `graph` and its subgraphs; returns the names its nodes read that neither it nor its subgraphs provide. */
export function cleanInitializers(graph: Graph): Set<string> {
  const requested = new Set<string>();
  for (const n of graph.nodes) for (const i of n.inputs) if (i) requested.add(i);
  for (const o of graph.outputs) if (o.name) requested.add(o.name);
  graph.nodes = graph.nodes.map((node) => {
    if (!hasSubgraphs(node)) return node;
    for (const a of node.attributes) for (const g of subgraphsOf(a)) for (const name of cleanInitializers(g)) requested.add(name);
    return remakeWithSubgraphs(node);
  });
  for (const n of graph.nodes) for (const o of n.outputs) requested.delete(o);
  const unused: Tensor[] = [];
  for (const t of graph.initializers) {
    if (requested.has(t.name)) requested.delete(t.name);
    else unused.push(t);
  }
  const inputByName = new Map<string, ValueInfo>(graph.inputs.map((i) => [i.name, i]));
  for (const t of unused) {
    removeFirstEqual(graph.initializers, t, sameTensor);
    const input = inputByName.get(t.name);
    if (input) removeFirstEqual(graph.inputs, input, (a, b) => a.name === b.name && sameBytes(a.payload, b.payload));
  }
  for (const i of graph.inputs) requested.delete(i.name);
  return requested;
}
