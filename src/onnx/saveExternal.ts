// Writes a model as onnx.save_model(save_as_external_data=True, all_tensors_to_one_file=True, location=<file>_data,
// size_threshold=1024) does: every initializer whose raw_data is at least 1024 bytes by Python's sys.getsizeof (991
// bytes of data and a 33-byte object header) goes to `<file>_data`, one after the other in the order onnx visits them,
// with location/offset/length entries; the rest stays inline. Tensors are read or computed one at a time.
// Both files are written under temporary names and renamed into place when complete, the data file first, so a
// `<file>` that exists is always whole; a cancelled or failed write leaves neither temporary file behind.
import * as fs from 'fs';
import * as path from 'path';
import { allInitializers, encodeModel, encodeTensor, type OnnxModel, type Tensor, type TensorPlacement } from './model';
import { dataLength, type TensorReader } from './tensorData';

/** CPython's sys.getsizeof(b'') on 64-bit: what onnx's size threshold is compared with, on top of the length. */
const PYTHON_BYTES_HEADER = 33;
const SIZE_THRESHOLD = 1024;

export const externalDataName = (onnxPath: string): string => path.basename(onnxPath) + '_data';
export const partialName = (file: string): string => file + '.partial';

export interface SaveOptions {
  reader: TensorReader;
  signal?: AbortSignal;
  /** After each tensor: the bytes of source weights it took (a quantized weight counts its float source). */
  onTensor?: (sourceBytes: number) => void;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function saveWithExternalData(model: OnnxModel, onnxPath: string, options: SaveOptions): Promise<string[]> {
  const dataPath = path.join(path.dirname(onnxPath), externalDataName(onnxPath));
  const partialData = partialName(dataPath);
  const partialOnnx = partialName(onnxPath);
  const placements = new Map<Tensor, TensorPlacement>();
  let data: fs.promises.FileHandle | undefined;
  try {
    let offset = 0;
    for (const tensor of allInitializers(model.graph)) {
      options.signal?.throwIfAborted();
      if (tensor.data.kind === 'fields') {
        placements.set(tensor, { kind: 'fields' });
        continue;
      }
      const length = dataLength(tensor);
      const bytes = await options.reader.bytes(tensor);
      if (bytes.length !== length) throw new Error(`tensor ${tensor.name}: ${bytes.length} bytes made for ${length}`);
      if (length + PYTHON_BYTES_HEADER >= SIZE_THRESHOLD) {
        data ??= await fs.promises.open(partialData, 'w', 0o644);
        for (let done = 0; done < length;) done += (await data.write(bytes, done, length - done, offset + done)).bytesWritten;
        placements.set(tensor, { kind: 'external', location: externalDataName(onnxPath), offset, length });
        offset += length;
      } else placements.set(tensor, { kind: 'inline', bytes });
      options.onTensor?.(tensor.data.kind === 'derived' ? tensor.data.sourceBytes : length);
      // Lets the event loop run (a cancellation, progress display) between tensors.
      await nextTurn();
    }
    if (data) {
      await data.close();
      data = undefined;
    }
    const bytes = encodeModel(model, (t) => {
      const placement = placements.get(t);
      if (!placement) throw new Error(`tensor ${t.name}: not placed`);
      return encodeTensor(t, placement);
    });
    await fs.promises.writeFile(partialOnnx, bytes);
    options.signal?.throwIfAborted();
    const written = [];
    if (offset > 0) {
      await fs.promises.rename(partialData, dataPath);
      written.push(dataPath);
    }
    await fs.promises.rename(partialOnnx, onnxPath);
    written.push(onnxPath);
    return written;
  } catch (e) {
    await data?.close().catch(() => {});
    await fs.promises.rm(partialData, { force: true });
    await fs.promises.rm(partialOnnx, { force: true });
    throw e;
  }
}
