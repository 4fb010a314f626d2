// onnxruntime's ONNXModel.topological_sort, which save_model_to_file runs on the main graph before writing: nodes
// without inputs first (in graph order), then, for each initializer or graph input name in sorted order, the nodes it
// completes, then breadth first from the nodes placed. Mirrored exactly: the quantized encoder's node order is its.
import type { Graph, OnnxNode } from '../onnx/model';

export function topologicalSort(graph: Graph): void {
  const nodes = graph.nodes;
  const pending = new Array<number>(nodes.length).fill(0);
  const readers = new Map<string, number[]>();
  const sorted: OnnxNode[] = [];
  nodes.forEach((node, index) => {
    pending[index] = node.inputs.filter((i) => i).length;
    if (pending[index] === 0) {
      sorted.push(node);
      return;
    }
    for (const input of node.inputs) {
      if (!input) continue;
      const list = readers.get(input);
      if (list) list.push(index);
      else readers.set(input, [index]);
    }
  });
  const release = (name: string) => {
    for (const index of readers.get(name) ?? []) if (--pending[index] === 0) sorted.push(nodes[index]);
  };
  // Python's sort of str compares code points; these names are compared by UTF-16 units, the same for all but astral characters.
  const sources = [...graph.initializers.map((t) => t.name), ...graph.inputs.map((i) => i.name)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  sources.forEach((name, i) => {
    if (i === 0 || sources[i - 1] !== name) release(name);
  });
  for (let start = 0; start < sorted.length; start++) for (const output of sorted[start].outputs) release(output);
  if (sorted.length !== nodes.length) throw new Error(`topological sort: ${nodes.length - sorted.length} nodes are unreachable (the graph is not a DAG)`);
  graph.nodes = sorted;
}
