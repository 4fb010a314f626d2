// Decodes an ONNX file into the model the quantizer edits (model.ts), from bytes in memory or from the file itself.
// Read from the file, only the structure is held: each initializer's inline raw_data stays in the file, recorded as
// its offset and length ('file' data, read one tensor at a time when written, as external data is), so quantizing a
// graph of 2 GB inline weights (medium's decoder) holds one weight at a time, not the file.
import * as fs from 'fs';
import * as path from 'path';
import { type ByteSource, type FieldAt, fieldsOf, MemoryBytes, textAt } from './byteSource';
import { ATTRIBUTE, ATTRIBUTE_TYPE, DATA_LOCATION, GRAPH, MODEL, NODE, OPSET_ID, STRING_ENTRY, TENSOR, VALUE_INFO } from './fieldNumbers';
import { withFileWindow } from './fileWindow';
import type { Attribute, Graph, OnnxModel, OnnxNode, OpsetImport, Tensor, TensorData, ValueInfo } from './model';
import { concat, type Field, packedVarints, readFields, text, varintValue, WIRE_BYTES } from './protobuf';

/**
 * Inline raw_data shorter than this is held in memory when a file is decoded: the constants the passes read
 * synchronously (attention scales, shapes: a few bytes) are among them. Longer ones are read when written.
 */
export const IN_MEMORY_BELOW = 1024;

/** Where a model's external data files are, and their sizes (a `length` entry may be absent: to the end of the file). */
export interface ExternalFiles {
  dir: string;
  sizes: Map<string, number>;
}

interface Decoding {
  source: ByteSource;
  files: ExternalFiles;
  /** What an initializer's raw_data field becomes: bytes in memory, or a range of the file decoded. */
  inlineData: (f: FieldAt) => TensorData;
}

/** A field held as the codec keeps the ones it does not model: its bytes, in memory. */
function keptField(source: ByteSource, f: FieldAt): Field {
  const raw = source.keep(f.keyStart, f.end - f.keyStart);
  return { number: f.number, wire: f.wire, raw, value: raw.subarray(f.start - f.keyStart) };
}

function externalData(fields: Field[], files: ExternalFiles, name: string): TensorData {
  const entries = new Map<string, string>();
  for (const f of fields.filter((x) => x.number === TENSOR.externalData)) {
    const entry = readFields(f.value);
    const key = entry.find((x) => x.number === STRING_ENTRY.key);
    const value = entry.find((x) => x.number === STRING_ENTRY.value);
    if (key) entries.set(text(key.value), value ? text(value.value) : '');
  }
  const location = entries.get('location');
  if (!location) throw new Error(`tensor ${name}: external data without a location`);
  const file = path.resolve(files.dir, location);
  if (path.isAbsolute(location) || path.relative(files.dir, file).startsWith('..'))
    throw new Error(`tensor ${name}: external data outside the model's folder (${location})`);
  let size = files.sizes.get(file);
  if (size === undefined) {
    size = fs.statSync(file).size;
    files.sizes.set(file, size);
  }
  const offset = Number(entries.get('offset') ?? 0);
  const length = entries.has('length') ? Number(entries.get('length')) : size - offset;
  if (!(offset >= 0 && length >= 0 && offset + length <= size))
    throw new Error(`tensor ${name}: external data range ${offset}+${length} outside ${location} (${size} bytes)`);
  return { kind: 'file', path: file, offset, length };
}

function tensorAt(d: Decoding, start: number, end: number): Tensor {
  const tensor: Tensor = { name: '', dims: [], dataType: 0, data: { kind: 'fields' }, other: [], defaultLocationWritten: false };
  const fields: Field[] = [];
  let raw: TensorData | undefined;
  let location: number | undefined;
  for (const at of fieldsOf(d.source, start, end)) {
    if (at.number === TENSOR.rawData) {
      raw = d.inlineData(at);
      continue;
    }
    const f = keptField(d.source, at);
    fields.push(f);
    if (f.number === TENSOR.dims) tensor.dims.push(...(f.wire === WIRE_BYTES ? packedVarints(f.value) : [varintValue(f)]));
    else if (f.number === TENSOR.dataType) tensor.dataType = varintValue(f);
    else if (f.number === TENSOR.name) tensor.name = text(f.value);
    else if (f.number === TENSOR.dataLocation) location = varintValue(f);
    else if (f.number !== TENSOR.externalData) tensor.other.push(f);
  }
  // As onnx.load: a tensor is external when data_location says so; its data then becomes raw_data, DEFAULT written.
  if (location === DATA_LOCATION.external) {
    tensor.data = externalData(fields, d.files, tensor.name);
    tensor.defaultLocationWritten = true;
  } else {
    if (raw) tensor.data = raw;
    tensor.defaultLocationWritten = location === DATA_LOCATION.default;
    if (location === undefined && fields.some((f) => f.number === TENSOR.externalData))
      tensor.other.push(...fields.filter((f) => f.number === TENSOR.externalData));
  }
  return tensor;
}

const isSubgraph = (f: FieldAt) => f.number === ATTRIBUTE.g || f.number === ATTRIBUTE.graphs;

function attributeAt(d: Decoding, start: number, end: number): Attribute {
  const fields = [...fieldsOf(d.source, start, end)];
  const nameField = fields.find((f) => f.number === ATTRIBUTE.name);
  const typeField = fields.find((f) => f.number === ATTRIBUTE.type);
  const name = nameField ? textAt(d.source, nameField) : '';
  const type = typeField ? d.source.varint(typeField.start).value : 0;
  if (type === ATTRIBUTE_TYPE.graph || type === ATTRIBUTE_TYPE.graphs) {
    // The subgraphs become objects (encoded anew when written); the payload keeps the rest only, for it would
    // otherwise hold the subgraphs' weights.
    const payload = concat(fields.filter((f) => !isSubgraph(f)).map((f) => d.source.keep(f.keyStart, f.end - f.keyStart)));
    if (type === ATTRIBUTE_TYPE.graphs)
      return { name, type, payload, graphs: fields.filter((f) => f.number === ATTRIBUTE.graphs).map((f) => graphAt(d, f.start, f.end)) };
    const g = fields.find((f) => f.number === ATTRIBUTE.g);
    return { name, type, payload, graph: g ? graphAt(d, g.start, g.end) : graphAt(d, 0, 0) };
  }
  const payload = d.source.keep(start, end - start);
  if (type === ATTRIBUTE_TYPE.tensor) {
    const t = readFields(payload).find((f) => f.number === ATTRIBUTE.t);
    if (t && decodeTensor(t.value, d.files).data.kind === 'file') throw new Error(`attribute ${name}: a tensor in external data (not supported)`);
  }
  return { name, type, payload };
}

function nodeAt(d: Decoding, start: number, end: number): OnnxNode {
  const node: OnnxNode = { inputs: [], outputs: [], attributes: [], other: [] };
  for (const f of fieldsOf(d.source, start, end)) {
    if (f.number === NODE.input) node.inputs.push(textAt(d.source, f));
    else if (f.number === NODE.output) node.outputs.push(textAt(d.source, f));
    else if (f.number === NODE.name) node.name = textAt(d.source, f);
    else if (f.number === NODE.opType) node.opType = textAt(d.source, f);
    else if (f.number === NODE.domain) node.domain = textAt(d.source, f);
    else if (f.number === NODE.attribute) node.attributes.push(attributeAt(d, f.start, f.end));
    else node.other.push(keptField(d.source, f));
  }
  return node;
}

function valueInfoAt(d: Decoding, start: number, end: number): ValueInfo {
  const payload = d.source.keep(start, end - start);
  const name = readFields(payload).find((f) => f.number === VALUE_INFO.name);
  return { name: name ? text(name.value) : '', payload };
}

function graphAt(d: Decoding, start: number, end: number): Graph {
  const graph: Graph = { nodes: [], initializers: [], inputs: [], outputs: [], valueInfo: [], other: [] };
  for (const f of fieldsOf(d.source, start, end)) {
    if (f.number === GRAPH.node) graph.nodes.push(nodeAt(d, f.start, f.end));
    else if (f.number === GRAPH.initializer) graph.initializers.push(tensorAt(d, f.start, f.end));
    else if (f.number === GRAPH.input) graph.inputs.push(valueInfoAt(d, f.start, f.end));
    else if (f.number === GRAPH.output) graph.outputs.push(valueInfoAt(d, f.start, f.end));
    else if (f.number === GRAPH.valueInfo) graph.valueInfo.push(valueInfoAt(d, f.start, f.end));
    else graph.other.push(keptField(d.source, f));
  }
  return graph;
}

function modelAt(d: Decoding): OnnxModel {
  const model: OnnxModel = { graph: graphAt(d, 0, 0), opsetImports: [], other: [] };
  for (const f of fieldsOf(d.source, 0, d.source.size)) {
    if (f.number === MODEL.graph) model.graph = graphAt(d, f.start, f.end);
    else if (f.number === MODEL.opsetImport) {
      const opset: OpsetImport = { version: 0, other: [] };
      for (const x of fieldsOf(d.source, f.start, f.end)) {
        if (x.number === OPSET_ID.domain) opset.domain = textAt(d.source, x);
        else if (x.number === OPSET_ID.version) opset.version = d.source.varint(x.start).value;
        else opset.other.push(keptField(d.source, x));
      }
      model.opsetImports.push(opset);
    } else model.other.push(keptField(d.source, f));
  }
  return model;
}

function inMemory(source: ByteSource): Decoding['inlineData'] {
  return (f) => ({ kind: 'bytes', bytes: source.keep(f.start, f.end - f.start) });
}

/** A TensorProto's bytes (a Constant's value) decoded; external data locations are resolved with `files`. */
export function decodeTensor(payload: Uint8Array, files: ExternalFiles): Tensor {
  const source = new MemoryBytes(payload);
  return tensorAt({ source, files, inlineData: inMemory(source) }, 0, payload.length);
}

/** Decodes a model file's bytes; external data locations are resolved against `dir` (the model's folder). */
export function decodeModel(bytes: Uint8Array, dir: string): OnnxModel {
  const source = new MemoryBytes(bytes);
  return modelAt({ source, files: { dir: path.resolve(dir), sizes: new Map() }, inlineData: inMemory(source) });
}

/** Decodes the model in `source`, the contents of `file`: inline raw_data from IN_MEMORY_BELOW bytes up left there. */
export function decodeModelLazily(source: ByteSource, file: string): OnnxModel {
  const at = path.resolve(file);
  const inlineData = (f: FieldAt): TensorData =>
    f.end - f.start < IN_MEMORY_BELOW
      ? { kind: 'bytes', bytes: source.keep(f.start, f.end - f.start) }
      : { kind: 'file', path: at, offset: f.start, length: f.end - f.start };
  return modelAt({ source, files: { dir: path.dirname(at), sizes: new Map() }, inlineData });
}

/** Reads a model file's structure (its weights stay in the files, inline or external, read when written). */
export function readModelFile(file: string): OnnxModel {
  return withFileWindow(file, (window) => decodeModelLazily(window, file));
}
