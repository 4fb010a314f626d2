// whisper_build.quantize_embedding: the decoder's token embedding (the first main-graph float initializer shaped
// [vocab, d_model]) read by Gather(axis 0) becomes com.microsoft GatherBlockQuantized over 8-bit blocks of
// EMBEDDING_BLOCK values (asymmetric uint8, a scale and zero point per block). The Gathers are replaced in place, the
// float table removed when nothing else reads it, the three new initializers appended; computed when written.
import { TranscrevError } from '../errors';
import { makeNode } from '../onnx/build';
import { DATA_TYPE } from '../onnx/fieldNumbers';
import type { OnnxModel, Tensor } from '../onnx/model';
import type { TensorReader } from '../onnx/tensorData';
import { type EmbeddingQuantized, quantizeEmbedding } from './embeddingQuantize';
import { derivedTensors } from './derivedTensors';
import { graphAndBranches, intAttribute, MICROSOFT_DOMAIN, setOpsetImport } from './graphEdits';
import { EMBEDDING_BLOCK } from './recipe';

/** The 8-bit values, scales and zero points of the table, quantized when written. */
function quantizedTable(table: Tensor, vocab: number, dim: number, reader: TensorReader): Tensor[] {
  const blocks = dim / EMBEDDING_BLOCK;
  const compute = async () => quantizeEmbedding(await reader.floats(table), vocab, dim, EMBEDDING_BLOCK);
  return derivedTensors<EmbeddingQuantized>(table, `GatherBlockQuantized 8/${EMBEDDING_BLOCK}`, compute, [
    { suffix: '_Q8', dims: [vocab, dim], dataType: DATA_TYPE.uint8, pick: (q) => q.data },
    { suffix: '_scales', dims: [vocab, blocks], dataType: DATA_TYPE.float, pick: (q) => q.scales },
    { suffix: '_zero_points', dims: [vocab, blocks], dataType: DATA_TYPE.uint8, pick: (q) => q.zeroPoints },
  ]);
}

/** Replaces the embedding's Gathers; returns how many (0 when there is no such table). */
export function quantizeTokenEmbedding(model: OnnxModel, vocabSize: number, reader: TensorReader): number {
  const table = model.graph.initializers.find((t) => t.dims.length === 2 && t.dims[0] === vocabSize && t.dataType === DATA_TYPE.float);
  if (!table) return 0;
  const [vocab, dim] = table.dims;
  if (dim % EMBEDDING_BLOCK !== 0)
    throw new TranscrevError('model', `token embedding ${table.name}: ${dim} values a row is not a whole number of blocks of ${EMBEDDING_BLOCK}`);
  const [data, scales, zeroPoints] = quantizedTable(table, vocab, dim, reader);
  let changed = 0;
  for (const graph of graphAndBranches(model.graph))
    graph.nodes = graph.nodes.map((n) => {
      if (n.opType !== 'Gather' || n.inputs[0] !== table.name || intAttribute(n, 'axis', 0) !== 0) return n;
      changed++;
      return makeNode('GatherBlockQuantized', [data.name, n.inputs[1], scales.name, zeroPoints.name], [...n.outputs], {
        name: (n.name ?? '') + '_Q8',
        domain: MICROSOFT_DOMAIN,
        attributes: { bits: { int: 8 }, block_size: { int: EMBEDDING_BLOCK }, gather_axis: { int: 0 }, quantize_axis: { int: 1 } },
      });
    });
  if (changed) {
    const stillRead = [...graphAndBranches(model.graph)].some((g) => g.nodes.some((n) => n.inputs.includes(table.name)));
    if (!stillRead) model.graph.initializers.splice(model.graph.initializers.indexOf(table), 1);
    model.graph.initializers.push(data, scales, zeroPoints);
    setOpsetImport(model, MICROSOFT_DOMAIN, 1, true);
  }
  return changed;
}
