// Expected peak memory of the whole process tree for each Whisper size and precision, from parameter counts.
// The graph sizes follow the toolchain's recipe (tools/models/whisper_build.py) and reproduce the built files of
// tiny.en and base to the megabyte; the rest is what a transcription holds besides the weights, calibrated on base
// and tiny.en runs of the 330 s meeting (bench/run.ts). Prints Markdown for docs/benchmarks.md. Not a test.
//   node --import tsx bench/expectedMemory.ts
import * as fs from 'fs';
import * as path from 'path';
import { MODELS_ROOT } from '../test/fixtures/whisper/helpers';
import { PRECISIONS, type Precision } from '../src/vocabulary';

interface Dims {
  dModel: number;
  encoderLayers: number;
  decoderLayers: number;
  vocab: number;
  mels: number;
}

const SIZES: Record<string, Dims> = {
  'tiny.en': { dModel: 384, encoderLayers: 4, decoderLayers: 4, vocab: 51864, mels: 80 },
  base: { dModel: 512, encoderLayers: 6, decoderLayers: 6, vocab: 51865, mels: 80 },
  small: { dModel: 768, encoderLayers: 12, decoderLayers: 12, vocab: 51865, mels: 80 },
  medium: { dModel: 1024, encoderLayers: 24, decoderLayers: 24, vocab: 51865, mels: 80 },
  'large-v3-turbo': { dModel: 1280, encoderLayers: 32, decoderLayers: 4, vocab: 51866, mels: 128 },
};

const MB = 2 ** 20;
const FRAMES = 1500;
/** Bytes per MatMul weight (encoder, decoder): 8-bit blocks of 128 / 64 with a float scale each, 4-bit blocks of 32 with a scale and a packed zero point. */
const WEIGHT_BYTES: Record<Precision, [number, number]> = {
  int8: [1 + 4 / 128, 1 + 4 / 64],
  q4: [0.5 + 4 / 32 + 0.5 / 32, 0.5 + 4 / 32 + 0.5 / 32],
  fp32: [4, 4],
};
/** The engine process (47 MB) and what the transcription child holds besides weights, cache and encoder buffers
 * (Node and onnxruntime, JS heap, audio and mel windows, allocator slack): 178–189 MB measured on tiny.en and base. */
const ENGINE_MB = 47;
const CHILD_REST_MB = 185;

function estimate(d: Dims, precision: Precision) {
  const [encBytes, decBytes] = WEIGHT_BYTES[precision];
  const m = d.dModel;
  const encoder = d.encoderLayers * 12 * m * m * encBytes + ((d.mels * m + m * m) * 3 + FRAMES * m + d.encoderLayers * 13 * m) * 4;
  // The output projection is quantized like the layers; the token embedding is a separate 8-bit copy (GatherBlockQuantized).
  const embedding = d.vocab * m * (precision === 'fp32' ? 4 : 1 + 4 / 32);
  const decoder = (d.decoderLayers * 16 * m * m + d.vocab * m) * decBytes + embedding + (448 * m + d.decoderLayers * 20 * m) * 4;
  const crossCache = 2 * d.decoderLayers * FRAMES * m * 4;
  // Encoder working set: one 4-head group's attention scores, the feed-forward activations, a few [1500, d] buffers.
  const encoderBuffers = Math.min(4, m / 64) * FRAMES * FRAMES * 4 + FRAMES * 4 * m * 4 + 4 * FRAMES * m * 4;
  const tree = ENGINE_MB + CHILD_REST_MB + (encoder + decoder + crossCache + encoderBuffers) / MB;
  return { encoder: encoder / MB, decoder: decoder / MB, crossCache: crossCache / MB, encoderBuffers: encoderBuffers / MB, tree };
}

function builtFiles(size: string, precision: Precision): string {
  const dir = path.join(MODELS_ROOT, size, 'onnx');
  const suffix = precision === 'fp32' ? '' : `_${precision}`;
  const sizeOf = (f: string) => fs.statSync(path.join(dir, `${f}${suffix}.onnx_data`)).size / MB;
  try {
    return `${sizeOf('encoder_model').toFixed(0)} + ${sizeOf('decoder_model_merged').toFixed(0)}`;
  } catch {
    return '';
  }
}

const lines = [
  '| model | precision | encoder + decoder weights (MB) | built here (MB) | cross-attention cache (MB) | encoder buffers (MB) | expected tree peak (MB) | ≤ 750 MB |',
  '|---|---|---:|---:|---:|---:|---:|---|',
];
for (const [size, dims] of Object.entries(SIZES)) {
  for (const precision of PRECISIONS) {
    const e = estimate(dims, precision);
    lines.push(
      `| ${size} | ${precision} | ${e.encoder.toFixed(0)} + ${e.decoder.toFixed(0)} | ${builtFiles(size, precision)} | ${e.crossCache.toFixed(0)} | ${e.encoderBuffers.toFixed(0)} | ${Math.round(e.tree)} | ${e.tree <= 750 ? 'yes' : 'no'} |`,
    );
  }
}
console.log(lines.join('\n'));
