// Reads an ONNX file's structure without reading its weights: field headers are read through a small window and the
// fields not asked for (initializers' raw_data, mostly) are skipped by seeking. For questions about a graph that is
// hundreds of MB inline (which operators it uses, how many bytes of weights it holds) at the cost of a few reads.
import * as fs from 'fs';
import * as path from 'path';
import { type ByteSource, type FieldAt, fieldsOf, textAt } from './byteSource';
import { ATTRIBUTE, DATA_LOCATION, GRAPH, MODEL, NODE, STRING_ENTRY, TENSOR } from './fieldNumbers';
import { withFileWindow } from './fileWindow';

function graphField(w: ByteSource): FieldAt | undefined {
  for (const f of fieldsOf(w, 0, w.size)) if (f.number === MODEL.graph) return f;
  return undefined;
}

/** Every (domain, op_type) of the model's nodes, subgraphs included. */
export function scanOperators(file: string): { domain: string; opType: string }[] {
  return withFileWindow(file, (w) => {
    const found: { domain: string; opType: string }[] = [];
    const graph = (g: FieldAt) => {
      for (const f of fieldsOf(w, g.start, g.end)) if (f.number === GRAPH.node) node(f);
    };
    const node = (n: FieldAt) => {
      let domain = '';
      let opType = '';
      for (const f of fieldsOf(w, n.start, n.end)) {
        if (f.number === NODE.opType) opType = textAt(w, f);
        else if (f.number === NODE.domain) domain = textAt(w, f);
        else if (f.number === NODE.attribute)
          for (const a of fieldsOf(w, f.start, f.end)) if (a.number === ATTRIBUTE.g || a.number === ATTRIBUTE.graphs) graph(a);
      }
      found.push({ domain, opType });
    };
    const g = graphField(w);
    if (g) graph(g);
    return found;
  });
}

/** The bytes of weights a model holds: every initializer's raw_data, inline or in external data (subgraphs included). */
export function scanWeightBytes(file: string): number {
  return withFileWindow(file, (w) => {
    let total = 0;
    const tensor = (t: FieldAt) => {
      let raw = 0;
      let external = false;
      let length: number | undefined;
      let offset = 0;
      let location = '';
      for (const f of fieldsOf(w, t.start, t.end)) {
        if (f.number === TENSOR.rawData) raw = f.end - f.start;
        else if (f.number === TENSOR.dataLocation) external = w.varint(f.start).value === DATA_LOCATION.external;
        else if (f.number === TENSOR.externalData) {
          let key = '';
          let value = '';
          for (const e of fieldsOf(w, f.start, f.end)) {
            if (e.number === STRING_ENTRY.key) key = textAt(w, e);
            else if (e.number === STRING_ENTRY.value) value = textAt(w, e);
          }
          if (key === 'length') length = Number(value);
          else if (key === 'offset') offset = Number(value);
          else if (key === 'location') location = value;
        }
      }
      if (!external) return raw;
      if (length !== undefined) return length;
      const data = path.resolve(path.dirname(file), location);
      return fs.existsSync(data) ? Math.max(0, fs.statSync(data).size - offset) : 0;
    };
    const graph = (g: FieldAt) => {
      for (const f of fieldsOf(w, g.start, g.end)) {
        if (f.number === GRAPH.initializer) total += tensor(f);
        else if (f.number === GRAPH.node)
          for (const n of fieldsOf(w, f.start, f.end))
            if (n.number === NODE.attribute)
              for (const a of fieldsOf(w, n.start, n.end)) if (a.number === ATTRIBUTE.g || a.number === ATTRIBUTE.graphs) graph(a);
      }
    };
    const g = graphField(w);
    if (g) graph(g);
    return total;
  });
}
