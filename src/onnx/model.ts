// An ONNX model as the quantizer edits it: the graph's nodes, initializers, inputs and outputs as objects (subgraphs of
// If/Loop attributes too), every other field kept as the bytes it was read as. Encoding writes fields in field-number
// order, as protobuf's SerializeToString does, so a model read from a file onnx wrote and encoded unedited is the same
// bytes, and an edited one is the bytes onnx would write for the same edit.
//
// Tensor values are not copied: an initializer points at a range of a file (its raw_data inline in the .onnx, or
// external data), read one tensor at a time when written, at bytes in memory (small ones, new ones), or at a function
// that computes it when it is written. Decoding is decode.ts.
import { ATTRIBUTE, DATA_LOCATION, GRAPH, MODEL, NODE, OPSET_ID, STRING_ENTRY, TENSOR } from './fieldNumbers';
import { bytesField, encodeMessage, type Field, int64Field, part, readFields, stringField, varintField } from './protobuf';

export type TensorData =
  /** raw_data in memory: a small tensor of the file decoded, a tensor made, or any of a model decoded from memory. */
  | { kind: 'bytes'; bytes: Uint8Array }
  /** A range of a file: of an external data file, or raw_data inside the .onnx file itself. */
  | { kind: 'file'; path: string; offset: number; length: number }
  /**
   * Made when the tensor is written (a quantized weight), `sourceBytes` of float weights read to make it; two with the
   * same `identity` (source tensor and recipe) hold the same values.
   */
  | { kind: 'derived'; length: number; sourceBytes: number; make: () => Promise<Uint8Array>; identity: { source: Tensor; recipe: string } }
  /** Values in typed fields (float_data, int64_data, …), which stay among `other` and inline, as onnx leaves them. */
  | { kind: 'fields' };

export interface Tensor {
  name: string;
  dims: number[];
  dataType: number;
  data: TensorData;
  /** Fields not modelled (doc_string, typed value arrays, metadata), as read. */
  other: Field[];
  /** onnx.load writes data_location = DEFAULT on every tensor it reads from an external file; kept for equal bytes. */
  defaultLocationWritten: boolean;
}

export interface Attribute {
  name: string;
  type: number;
  /** The AttributeProto as read or made; for subgraph attributes, the rest of it (the graphs are encoded anew). */
  payload: Uint8Array;
  graph?: Graph;
  graphs?: Graph[];
}

export interface OnnxNode {
  inputs: string[];
  outputs: string[];
  /** Undefined when the field is absent (protobuf writes a present empty string, not an absent one). */
  name?: string;
  opType?: string;
  domain?: string;
  attributes: Attribute[];
  other: Field[];
}

export interface ValueInfo {
  name: string;
  payload: Uint8Array;
}

export interface Graph {
  nodes: OnnxNode[];
  initializers: Tensor[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  valueInfo: ValueInfo[];
  other: Field[];
}

export interface OpsetImport {
  /** Undefined when absent (the default domain may be written as an empty string or left out). */
  domain?: string;
  version: number;
  other: Field[];
}

export interface OnnxModel {
  graph: Graph;
  opsetImports: OpsetImport[];
  other: Field[];
}

// ---------------------------------------------------------------- encoding

/** How an initializer is written: its raw_data inline, a range of the external data file, or its typed fields. */
export type TensorPlacement =
  { kind: 'inline'; bytes: Uint8Array } | { kind: 'external'; location: string; offset: number; length: number } | { kind: 'fields' };

const entry = (key: string, value: string) =>
  bytesField(TENSOR.externalData, encodeMessage([part(1, stringField(STRING_ENTRY.key, key)), part(2, stringField(STRING_ENTRY.value, value))]));

export function encodeTensor(tensor: Tensor, placement: TensorPlacement): Uint8Array {
  const fields = [
    ...tensor.other,
    ...tensor.dims.map((d) => part(TENSOR.dims, int64Field(TENSOR.dims, d))),
    part(TENSOR.dataType, varintField(TENSOR.dataType, tensor.dataType)),
    part(TENSOR.name, stringField(TENSOR.name, tensor.name)),
  ];
  if (placement.kind === 'inline') {
    fields.push(part(TENSOR.rawData, bytesField(TENSOR.rawData, placement.bytes)));
    if (tensor.defaultLocationWritten) fields.push(part(TENSOR.dataLocation, varintField(TENSOR.dataLocation, DATA_LOCATION.default)));
  } else if (placement.kind === 'external') {
    fields.push(
      part(TENSOR.externalData, entry('location', placement.location)),
      part(TENSOR.externalData, entry('offset', String(placement.offset))),
      part(TENSOR.externalData, entry('length', String(placement.length))),
      part(TENSOR.dataLocation, varintField(TENSOR.dataLocation, DATA_LOCATION.external)),
    );
  } else if (tensor.defaultLocationWritten) fields.push(part(TENSOR.dataLocation, varintField(TENSOR.dataLocation, DATA_LOCATION.default)));
  return encodeMessage(fields);
}

type EncodeTensor = (tensor: Tensor) => Uint8Array;

function encodeAttribute(attribute: Attribute, encodeTensorAs: EncodeTensor): Uint8Array {
  if (!attribute.graph && !attribute.graphs) return attribute.payload;
  const kept = readFields(attribute.payload).filter((f) => f.number !== ATTRIBUTE.g && f.number !== ATTRIBUTE.graphs);
  const graphs = attribute.graph ? [part(ATTRIBUTE.g, bytesField(ATTRIBUTE.g, encodeGraph(attribute.graph, encodeTensorAs)))] : [];
  for (const g of attribute.graphs ?? []) graphs.push(part(ATTRIBUTE.graphs, bytesField(ATTRIBUTE.graphs, encodeGraph(g, encodeTensorAs))));
  return encodeMessage([...kept, ...graphs]);
}

export function encodeNode(node: OnnxNode, encodeTensorAs: EncodeTensor): Uint8Array {
  const fields = [
    ...node.other,
    ...node.inputs.map((x) => part(NODE.input, stringField(NODE.input, x))),
    ...node.outputs.map((x) => part(NODE.output, stringField(NODE.output, x))),
    ...node.attributes.map((a) => part(NODE.attribute, bytesField(NODE.attribute, encodeAttribute(a, encodeTensorAs)))),
  ];
  if (node.name !== undefined) fields.push(part(NODE.name, stringField(NODE.name, node.name)));
  if (node.opType !== undefined) fields.push(part(NODE.opType, stringField(NODE.opType, node.opType)));
  if (node.domain !== undefined) fields.push(part(NODE.domain, stringField(NODE.domain, node.domain)));
  return encodeMessage(fields);
}

export function encodeGraph(graph: Graph, encodeTensorAs: EncodeTensor): Uint8Array {
  return encodeMessage([
    ...graph.other,
    ...graph.nodes.map((n) => part(GRAPH.node, bytesField(GRAPH.node, encodeNode(n, encodeTensorAs)))),
    ...graph.initializers.map((t) => part(GRAPH.initializer, bytesField(GRAPH.initializer, encodeTensorAs(t)))),
    ...graph.inputs.map((v) => part(GRAPH.input, bytesField(GRAPH.input, v.payload))),
    ...graph.outputs.map((v) => part(GRAPH.output, bytesField(GRAPH.output, v.payload))),
    ...graph.valueInfo.map((v) => part(GRAPH.valueInfo, bytesField(GRAPH.valueInfo, v.payload))),
  ]);
}

export function encodeModel(model: OnnxModel, encodeTensorAs: EncodeTensor): Uint8Array {
  return encodeMessage([
    ...model.other,
    part(MODEL.graph, bytesField(MODEL.graph, encodeGraph(model.graph, encodeTensorAs))),
    ...model.opsetImports.map((o) =>
      part(
        MODEL.opsetImport,
        bytesField(
          MODEL.opsetImport,
          encodeMessage([
            ...o.other,
            ...(o.domain === undefined ? [] : [part(OPSET_ID.domain, stringField(OPSET_ID.domain, o.domain))]),
            part(OPSET_ID.version, int64Field(OPSET_ID.version, o.version)),
          ]),
        ),
      ),
    ),
  ]);
}

/** Every initializer in the order onnx visits them (and writes their external data): a graph's own, then its nodes' subgraphs'. */
export function* allInitializers(graph: Graph): Generator<Tensor> {
  yield* graph.initializers;
  for (const node of graph.nodes) for (const a of node.attributes) for (const g of a.graph ? [a.graph] : (a.graphs ?? [])) yield* allInitializers(g);
}

/** Every graph: `graph`, then each node's GRAPH and GRAPHS subgraphs, depth first. */
export function* allGraphs(graph: Graph): Generator<Graph> {
  yield graph;
  for (const node of graph.nodes) for (const a of node.attributes) for (const g of a.graph ? [a.graph] : (a.graphs ?? [])) yield* allGraphs(g);
}
