// The initializers a quantization makes from one float tensor (values, scales, zero points): made when the file is
// written, the quantization run once when the first of them is written and its result dropped after the last, so
// that memory holds one weight's worth at a time.
import { DATA_TYPE } from '../onnx/fieldNumbers';
import type { Tensor } from '../onnx/model';
import { dataLength } from '../onnx/tensorData';

export interface DerivedPart<R> {
  suffix: string;
  dims: number[];
  dataType: typeof DATA_TYPE.float | typeof DATA_TYPE.uint8;
  pick: (result: R) => Float32Array | Uint8Array;
}

export function derivedTensors<R>(source: Tensor, recipe: string, compute: () => Promise<R>, parts: DerivedPart<R>[]): Tensor[] {
  let pending: Promise<R> | undefined;
  let left = parts.length;
  const take = async (pick: DerivedPart<R>['pick']) => {
    pending ??= compute();
    const values = pick(await pending);
    if (--left === 0) pending = undefined;
    return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  };
  // Two tensors made from the same source by the same recipe hold the same values: what protobuf's == would see.
  const identity = { source, recipe };
  return parts.map((part, i) => ({
    name: source.name + part.suffix,
    dims: part.dims,
    dataType: part.dataType,
    data: {
      kind: 'derived',
      length: part.dims.reduce((n, d) => n * d, 1) * (part.dataType === DATA_TYPE.float ? 4 : 1),
      // The float source is counted once, with the first part.
      sourceBytes: i === 0 ? dataLength(source) : 0,
      make: () => take(part.pick),
      identity,
    },
    other: [],
    defaultLocationWritten: false,
  }));
}
