// Word timings need the decoder's cross-attention (which audio frames each text token looks at), and the
// onnx-community decoders users download do not output it. This edits a decoder's ONNX bytes so that the
// cross-attention weights of the alignment heads become outputs `cross_attentions.<layer>` [rows, the layer's
// alignment heads in ascending order, tokens, 1500]: the Softmax nodes Optimum's export names
// `/model/decoder/layers.N/encoder_attn/Softmax`, each followed by a Gather of the wanted heads (a third of base's
// heads: the output a long window's alignment run hands back is a third as large). In a merged decoder they sit
// inside both branches of the `use_cache_branch` If node, so each branch outputs them and the If passes them on.
// Nothing is computed twice and the weights are untouched (they stay in the external data file): one session.
import { bytesField, concat, type Field, readFields, rewrite, stringField, text, varintField } from '../onnx/protobuf';

// onnx.proto field numbers.
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_OUTPUT = 12;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_NAME = 3;
const NODE_OP_TYPE = 4;
const NODE_ATTRIBUTE = 5;
const ATTRIBUTE_NAME = 1;
const ATTRIBUTE_INT = 3;
const ATTRIBUTE_TENSOR = 5;
const ATTRIBUTE_GRAPH = 6;
const ATTRIBUTE_TYPE = 20;
const ATTRIBUTE_TYPE_INT = 2;
const ATTRIBUTE_TYPE_TENSOR = 4;
const TENSOR_DIMS = 1;
const TENSOR_DATA_TYPE = 2;
const TENSOR_RAW_DATA = 9;
const INT64 = 7;
const VALUE_INFO_NAME = 1;
const VALUE_INFO_TYPE = 2;
const TYPE_TENSOR = 1;
const TENSOR_ELEM_TYPE = 1;
const FLOAT = 1;

const CROSS_SOFTMAX = /(?:^|\/)layers\.(\d+)\/encoder_attn\/Softmax$/;

export const crossAttentionOutput = (layer: number): string => `cross_attentions.${layer}`;

/** [layer, head] pairs → each layer's heads, ascending (the order of the heads in `cross_attentions.<layer>`). */
export function headsByLayer(heads: readonly [number, number][]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const [layer, head] of heads) if (!out.get(layer)?.includes(head)) out.set(layer, [...(out.get(layer) ?? []), head]);
  for (const list of out.values()) list.sort((a, b) => a - b);
  return new Map([...out].sort((a, b) => a[0] - b[0]));
}

function node(op: string, name: string, inputs: string[], output: string, attributes: Uint8Array[]): Uint8Array {
  return bytesField(
    GRAPH_NODE,
    concat([
      ...inputs.map((i) => stringField(NODE_INPUT, i)),
      stringField(NODE_OUTPUT, output),
      stringField(NODE_NAME, name),
      stringField(NODE_OP_TYPE, op),
      ...attributes.map((a) => bytesField(NODE_ATTRIBUTE, a)),
    ]),
  );
}

/** Constant int64 [k] then Gather(axis 1): the wanted heads of a [rows, heads, tokens, positions] tensor. */
function gatherHeads(input: string, heads: readonly number[], output: string): Uint8Array {
  const raw = new Uint8Array(8 * heads.length);
  const view = new DataView(raw.buffer);
  heads.forEach((h, i) => view.setBigInt64(8 * i, BigInt(h), true));
  const tensor = concat([varintField(TENSOR_DIMS, heads.length), varintField(TENSOR_DATA_TYPE, INT64), bytesField(TENSOR_RAW_DATA, raw)]);
  const value = concat([stringField(ATTRIBUTE_NAME, 'value'), bytesField(ATTRIBUTE_TENSOR, tensor), varintField(ATTRIBUTE_TYPE, ATTRIBUTE_TYPE_TENSOR)]);
  const axis = concat([stringField(ATTRIBUTE_NAME, 'axis'), varintField(ATTRIBUTE_INT, 1), varintField(ATTRIBUTE_TYPE, ATTRIBUTE_TYPE_INT)]);
  const indices = `${output}/heads`;
  return concat([node('Constant', indices, [], indices, [value]), node('Gather', `${output}/gather`, [input, indices], output, [axis])]);
}

/** A graph output: a float tensor of any shape. */
function floatOutput(name: string): Uint8Array {
  const tensorType = varintField(TENSOR_ELEM_TYPE, FLOAT);
  const type = bytesField(TYPE_TENSOR, tensorType);
  return bytesField(GRAPH_OUTPUT, concat([stringField(VALUE_INFO_NAME, name), bytesField(VALUE_INFO_TYPE, type)]));
}

function stringOf(fields: Field[], number: number): string | undefined {
  const f = fields.find((x) => x.number === number);
  return f ? text(f.value) : undefined;
}

interface Edited {
  graph: Uint8Array;
  /** layer → the tensor holding its cross-attention weights in this graph. */
  found: Map<number, string>;
}

/** Exposes the wanted layers' cross-attention in `graph` (and its If branches), without adding graph outputs. */
function exposeIn(graph: Uint8Array, heads: ReadonlyMap<number, readonly number[]>): Edited {
  const layers = [...heads.keys()];
  const found = new Map<number, string>();
  const edited = rewrite(graph, (field) => {
    if (field.number !== GRAPH_NODE) return field.raw;
    const node = readFields(field.value);
    const op = stringOf(node, NODE_OP_TYPE);
    if (op === 'Softmax') {
      const layer = Number(CROSS_SOFTMAX.exec(stringOf(node, NODE_NAME) ?? '')?.[1] ?? NaN);
      const output = stringOf(node, NODE_OUTPUT);
      if (layers.includes(layer) && output) found.set(layer, output);
      return field.raw;
    }
    if (op !== 'If') return field.raw;
    // Each branch must give every layer, or the If is left as it is.
    const branches = node
      .filter((f) => f.number === NODE_ATTRIBUTE)
      .map((f) => ({ field: f, attribute: readFields(f.value) }))
      .filter((a) => a.attribute.some((x) => x.number === ATTRIBUTE_GRAPH));
    const inner = branches.map((b) => exposeIn(b.attribute.find((x) => x.number === ATTRIBUTE_GRAPH)!.value, heads));
    const complete = branches.length === 2 && inner.every((e) => layers.every((l) => e.found.has(l)));
    if (!complete) return field.raw;
    // Keyed by where the attribute starts in the node's bytes (rewrite reads the fields again).
    const newBranch = new Map<number, Uint8Array>();
    branches.forEach((b, i) => {
      // Each branch gathers its own copy of the heads (names are unique per branch) and outputs it.
      const gathered = (l: number) => `${crossAttentionOutput(l)}/branch${i}`;
      const withOutputs = concat([
        inner[i].graph,
        ...layers.map((l) => gatherHeads(inner[i].found.get(l)!, heads.get(l)!, gathered(l))),
        ...layers.map((l) => floatOutput(gathered(l))),
      ]);
      const attribute = concat(b.attribute.map((x) => (x.number === ATTRIBUTE_GRAPH ? bytesField(ATTRIBUTE_GRAPH, withOutputs) : x.raw)));
      newBranch.set(b.field.raw.byteOffset, bytesField(NODE_ATTRIBUTE, attribute));
    });
    for (const l of layers) found.set(l, crossAttentionOutput(l));
    const nodeBytes = rewrite(
      field.value,
      (f) => newBranch.get(f.raw.byteOffset) ?? f.raw,
      layers.map((l) => stringField(NODE_OUTPUT, crossAttentionOutput(l))),
    );
    return bytesField(GRAPH_NODE, nodeBytes);
  });
  return { graph: edited, found };
}

/**
 * The model with a `cross_attentions.<layer>` output per layer of `alignmentHeads` (that layer's heads only), or null when the graph does not have
 * them all under the names Optimum gives (another exporter): word timings are then unavailable, nothing else.
 */
export function withCrossAttentionOutputs(model: Uint8Array, alignmentHeads: readonly [number, number][]): Uint8Array | null {
  const heads = headsByLayer(alignmentHeads);
  const layers = [...heads.keys()];
  if (!layers.length) return null;
  let complete = false;
  const edited = rewrite(model, (field) => {
    if (field.number !== MODEL_GRAPH) return field.raw;
    const { graph, found } = exposeIn(field.value, heads);
    complete = layers.every((l) => found.has(l));
    if (!complete) return field.raw;
    // Only merged decoders are loaded (session.ts), so the weights come out of the If under our names.
    if (layers.some((l) => found.get(l) !== crossAttentionOutput(l))) {
      complete = false;
      return field.raw;
    }
    return bytesField(MODEL_GRAPH, concat([graph, ...layers.map((l) => floatOutput(crossAttentionOutput(l)))]));
  });
  return complete ? edited : null;
}
