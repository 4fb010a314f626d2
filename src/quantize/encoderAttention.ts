// whisper_build.fuse_encoder_attention: each encoder self-attention as optimum exports it (q·s → Reshape → Transpose
// → ·s; k the same; MatMul → Softmax → MatMul → Transpose → Reshape) becomes com.microsoft MultiHeadAttention nodes
// (q, k, v split into groups of ENCODER_HEADS_PER_ATTENTION heads, the outputs concatenated), with the product of the
// three scales. The matched nodes are removed by name, the replacements go where the final Reshape was, and the shape
// computations left without a reader are pruned. When any attention does not match (another exporter), the graph is
// left as it was and 0 is returned, as in Python.
import { int64Bytes, makeNode, tensorFromBytes } from '../onnx/build';
import { ATTRIBUTE, DATA_TYPE } from '../onnx/fieldNumbers';
import { decodeTensor } from '../onnx/decode';
import type { OnnxModel, OnnxNode, Tensor } from '../onnx/model';
import { readFields } from '../onnx/protobuf';
import { smallTensorValues } from '../onnx/tensorData';
import { MICROSOFT_DOMAIN, setOpsetImport } from './graphEdits';
import { ENCODER_HEADS_PER_ATTENTION } from './recipe';

class NotThePattern extends Error {}

/** A constant's value: an initializer, or the tensor of the Constant node producing it (its first attribute's). */
function constantValue(name: string, initializers: Map<string, Tensor>, producer: Map<string, OnnxNode>): { values: number[]; float32: boolean } {
  let tensor = initializers.get(name);
  if (!tensor) {
    const node = producer.get(name);
    const t = node?.opType === 'Constant' ? readFields(node.attributes[0]?.payload ?? new Uint8Array(0)).find((f) => f.number === ATTRIBUTE.t) : undefined;
    if (!t) throw new NotThePattern(`no constant ${name}`);
    tensor = decodeTensor(t.value, { dir: '.', sizes: new Map() });
  }
  if (tensor.dataType !== DATA_TYPE.float && tensor.dataType !== DATA_TYPE.double) throw new NotThePattern(`constant ${name} is not a float`);
  return { values: smallTensorValues(tensor), float32: tensor.dataType === DATA_TYPE.float };
}

/** float(a * b * c) of three one-element numpy arrays: float32 arithmetic when all three are float32. */
function scaleProduct(factors: { values: number[]; float32: boolean }[]): number {
  if (factors.some((f) => f.values.length !== 1)) throw new NotThePattern('a scale is not a single value');
  const round = factors.every((f) => f.float32) ? Math.fround : (x: number) => x;
  return factors.reduce((product, f, i) => (i === 0 ? f.values[0] : round(product * f.values[0])), 0);
}

function groupedAttention(
  name: string,
  q: string,
  k: string,
  v: string,
  out: string,
  numHeads: number,
  dModel: number,
  scale: number,
  newInitializers: Tensor[],
): OnnxNode[] {
  const groups = Math.max(1, Math.floor(numHeads / Math.max(1, ENCODER_HEADS_PER_ATTENTION)));
  if (groups === 1 || numHeads % groups !== 0)
    return [
      makeNode('MultiHeadAttention', [q, k, v], [out], {
        name,
        domain: MICROSOFT_DOMAIN,
        attributes: { num_heads: { int: numHeads }, scale: { float: scale } },
      }),
    ];
  const sizes = `${name}/split_sizes`;
  newInitializers.push(tensorFromBytes(sizes, [groups], DATA_TYPE.int64, int64Bytes(new Array<number>(groups).fill(Math.floor(dModel / groups)))));
  const nodes: OnnxNode[] = [];
  const parts: Record<string, string[]> = {};
  for (const [tag, x] of [
    ['q', q],
    ['k', k],
    ['v', v],
  ]) {
    parts[tag] = Array.from({ length: groups }, (_, i) => `${name}/${tag}${i}`);
    nodes.push(makeNode('Split', [x, sizes], parts[tag], { name: `${name}/split_${tag}`, attributes: { axis: { int: 2 } } }));
  }
  const outs = Array.from({ length: groups }, (_, i) => `${name}/out${i}`);
  for (let i = 0; i < groups; i++)
    nodes.push(
      makeNode('MultiHeadAttention', [parts.q[i], parts.k[i], parts.v[i]], [outs[i]], {
        name: `${name}/group${i}`,
        domain: MICROSOFT_DOMAIN,
        attributes: { num_heads: { int: numHeads / groups }, scale: { float: scale } },
      }),
    );
  nodes.push(makeNode('Concat', outs, [out], { name: `${name}/concat`, attributes: { axis: { int: 2 } } }));
  return nodes;
}

/** Fuses the encoder's self-attention blocks in place; returns how many (0 and the graph untouched when one does not match). */
export function fuseEncoderAttention(model: OnnxModel, numHeads: number, dModel: number): number {
  const g = model.graph;
  const producer = new Map<string, OnnxNode>();
  const consumers = new Map<string, OnnxNode[]>();
  for (const n of g.nodes) for (const o of n.outputs) producer.set(o, n);
  for (const n of g.nodes)
    for (const i of n.inputs) {
      const list = consumers.get(i);
      if (list) list.push(n);
      else consumers.set(i, [n]);
    }
  const initializers = new Map(g.initializers.map((t) => [t.name, t]));
  const produced = (name: string | undefined): OnnxNode => {
    const n = producer.get(name ?? '');
    if (!n) throw new NotThePattern(`nothing produces ${name}`);
    return n;
  };
  const firstReader = (name: string | undefined): OnnxNode => {
    const list = consumers.get(name ?? '');
    if (!list) throw new NotThePattern(`nothing reads ${name}`);
    return list[0];
  };
  const follow = (name: string, ...ops: string[]): { chain: OnnxNode[]; source: string } => {
    const chain: OnnxNode[] = [];
    for (const op of ops) {
      const n = producer.get(name);
      if (!n || n.opType !== op) throw new NotThePattern(`expected ${op} before ${name}`);
      chain.push(n);
      name = n.inputs[0];
    }
    return { chain, source: name };
  };

  // Keyed by name as in Python (an absent name is the empty string there too).
  const removed = new Set<string>();
  const replacements = new Map<string, OnnxNode[]>();
  const newInitializers: Tensor[] = [];
  try {
    for (const softmax of g.nodes.filter((n) => n.opType === 'Softmax')) {
      const qk = produced(softmax.inputs[0]);
      const qScale2 = produced(qk.inputs[0]);
      const kScale = produced(qk.inputs[1]);
      const q = follow(qScale2.inputs[0], 'Transpose', 'Reshape');
      const qScale1 = produced(q.source);
      const k = follow(kScale.inputs[0], 'Transpose', 'Reshape');
      const av = firstReader(softmax.outputs[0]);
      const v = follow(av.inputs[1], 'Transpose', 'Reshape');
      const transpose = firstReader(av.outputs[0]);
      const reshape = firstReader(transpose.outputs[0]);
      const ops = [qk, qScale2, kScale, qScale1, av, transpose, reshape].map((n) => n.opType).join();
      if (ops !== 'MatMul,Mul,Mul,Mul,MatMul,Transpose,Reshape') throw new NotThePattern('not the optimum attention pattern');
      const scale = scaleProduct([qScale1.inputs[1], qScale2.inputs[1], kScale.inputs[1]].map((x) => constantValue(x, initializers, producer)));
      for (const n of [softmax, qk, qScale2, qScale1, kScale, av, transpose, reshape, ...q.chain, ...k.chain, ...v.chain]) removed.add(n.name ?? '');
      const name = (softmax.name ?? '').split('/Softmax').join('/MultiHeadAttention');
      replacements.set(
        reshape.name ?? '',
        groupedAttention(name, qScale1.inputs[0], k.source, v.source, reshape.outputs[0], numHeads, dModel, scale, newInitializers),
      );
    }
  } catch (e) {
    if (e instanceof NotThePattern) return 0;
    throw e;
  }
  g.initializers.push(...newInitializers);
  const nodes: OnnxNode[] = [];
  for (const n of g.nodes) {
    nodes.push(...(replacements.get(n.name ?? '') ?? []));
    if (!removed.has(n.name ?? '')) nodes.push(n);
  }
  g.nodes = nodes;
  // The shape computations that fed the removed Reshapes have no reader now.
  for (;;) {
    const used = new Set<string>([...g.nodes.flatMap((n) => n.inputs), ...g.outputs.map((o) => o.name)]);
    const live = g.nodes.filter((n) => n.outputs.some((o) => used.has(o)));
    if (live.length === g.nodes.length) break;
    g.nodes = live;
  }
  setOpsetImport(model, MICROSOFT_DOMAIN, 1, true);
  return replacements.size;
}
