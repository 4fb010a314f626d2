// New nodes, attributes and tensors as onnx's Python helpers make them (helper.make_node, helper.make_attribute,
// numpy_helper.from_array), so that an edit made here encodes to the bytes the same edit makes in the build toolchain:
// make_node sorts its attributes by name and sets name/domain only when given.
import { ATTRIBUTE, ATTRIBUTE_TYPE } from './fieldNumbers';
import type { Attribute, Graph, OnnxNode, Tensor } from './model';
import { encodeMessage, floatField, int64Field, part, stringField, varintField } from './protobuf';

export type AttributeValue = { int: number } | { float: number };

function attribute(name: string, value: AttributeValue): Attribute {
  const type = 'int' in value ? ATTRIBUTE_TYPE.int : ATTRIBUTE_TYPE.float;
  const valueField = 'int' in value ? part(ATTRIBUTE.i, int64Field(ATTRIBUTE.i, value.int)) : part(ATTRIBUTE.f, floatField(ATTRIBUTE.f, value.float));
  const payload = encodeMessage([part(ATTRIBUTE.name, stringField(ATTRIBUTE.name, name)), valueField, part(ATTRIBUTE.type, varintField(ATTRIBUTE.type, type))]);
  return { name, type, payload };
}

/** A GRAPH or GRAPHS attribute as make_attribute makes it from a graph or a list of graphs: name, type, the graphs. */
export function graphAttribute(name: string, graphs: Graph | Graph[]): Attribute {
  const type = Array.isArray(graphs) ? ATTRIBUTE_TYPE.graphs : ATTRIBUTE_TYPE.graph;
  const payload = encodeMessage([part(ATTRIBUTE.name, stringField(ATTRIBUTE.name, name)), part(ATTRIBUTE.type, varintField(ATTRIBUTE.type, type))]);
  return Array.isArray(graphs) ? { name, type, payload, graphs } : { name, type, payload, graph: graphs };
}

/** helper.make_node: attributes in the order of their names; an empty name is left out, as is a domain not given. */
export function makeNode(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  options: { name?: string; domain?: string; attributes?: Record<string, AttributeValue> } = {},
): OnnxNode {
  const attributes = Object.entries(options.attributes ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => attribute(name, value));
  return { inputs: [...inputs], outputs: [...outputs], name: options.name || undefined, opType, domain: options.domain, attributes, other: [] };
}

/** numpy_helper.from_array: dims, data type, name and the values as raw_data. */
export function tensorFromBytes(name: string, dims: readonly number[], dataType: number, bytes: Uint8Array): Tensor {
  return { name, dims: [...dims], dataType, data: { kind: 'bytes', bytes }, other: [], defaultLocationWritten: false };
}

export function int64Bytes(values: readonly (number | bigint)[]): Uint8Array {
  const out = new Uint8Array(8 * values.length);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setBigInt64(8 * i, BigInt(v), true));
  return out;
}
