// Quantizes a Whisper model folder on the user's machine, without Python: from the float graphs
// (onnx/encoder_model.onnx, onnx/decoder_model_merged.onnx, as onnx-community and Xenova publish them) it writes the
// int8 or q4 graphs the build toolchain would write from the same graphs, byte for byte. Each output appears only
// when complete (temporary names, then rename); a cancelled run leaves no partial file, and a run started again does
// only the graphs still missing.
import * as fs from 'fs';
import * as path from 'path';
import { TranscrevError } from '../errors';
import { whisperOnnxFiles } from '../models/layout';
import { scanWeightBytes } from '../onnx/fileScan';
import { externalDataName } from '../onnx/saveExternal';
import { findDynamicQuantization } from './dynamicOps';
import { type GraphJob, quantizeGraphFile, unreadableGraph, type WhisperDims } from './quantizeGraph';
import { GRAPHS, type QuantizedPrecision, SCHEMES } from './recipe';

export interface QuantizeProgress {
  /** The file being written, relative to the model folder. */
  step: string;
  /** Bytes of float weights processed, of `total` for the graphs this run writes. */
  done: number;
  total: number;
}

export interface QuantizeOptions {
  signal?: AbortSignal;
  onProgress?: (progress: QuantizeProgress) => void;
  log?: (line: string) => void;
}

export interface QuantizeResult {
  /** Files written by this run, relative to the model folder. */
  written: string[];
  seconds: number;
}

function readDims(dir: string): WhisperDims {
  const file = path.join(dir, 'config.json');
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : `not readable (${(e as Error).message})`;
    throw new TranscrevError('model', `${file}: ${why}; the quantizer reads the model's dimensions from it`);
  }
  const number = (key: string): number => {
    const v = config[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new TranscrevError('model', `${file}: ${key} is not a positive integer`);
    return v;
  };
  return { vocabSize: number('vocab_size'), encoderAttentionHeads: number('encoder_attention_heads'), dModel: number('d_model') };
}

/** An output already there counts as done unless its data file is missing or it is not ours (dynamically quantized). */
function alreadyDone(output: string, log: (line: string) => void): boolean {
  if (!fs.existsSync(output) || !fs.existsSync(path.join(path.dirname(output), externalDataName(output)))) return false;
  const dynamic = findDynamicQuantization(output);
  if (dynamic.length) log(`${path.basename(output)}: dynamically quantized (${dynamic.join(', ')}), replaced`);
  return dynamic.length === 0;
}

export async function quantizeModelFolder(dir: string, precision: QuantizedPrecision, options: QuantizeOptions = {}): Promise<QuantizeResult> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const dims = readDims(dir);
  const sources = whisperOnnxFiles('fp32');
  const outputs = whisperOnnxFiles(precision);
  const jobs: (GraphJob & { relative: string; weightBytes: number })[] = [];
  for (const graph of GRAPHS) {
    const [source, relative] = graph === 'encoder_model' ? [sources.encoder, outputs.encoder] : [sources.decoder, outputs.decoder];
    const output = path.join(dir, relative);
    if (alreadyDone(output, log)) continue;
    const sourcePath = path.join(dir, source);
    if (!fs.existsSync(sourcePath)) throw new TranscrevError('model', `${sourcePath}: the float graph to quantize is missing`);
    let weightBytes: number;
    try {
      weightBytes = scanWeightBytes(sourcePath);
    } catch (e) {
      throw unreadableGraph(sourcePath, e);
    }
    jobs.push({ graph, source: sourcePath, output, scheme: SCHEMES[precision][graph], dims, relative, weightBytes });
  }
  const total = jobs.reduce((n, j) => n + j.weightBytes, 0);
  const written: string[] = [];
  let before = 0;
  for (const job of jobs) {
    options.signal?.throwIfAborted();
    let done = 0;
    const report = () => options.onProgress?.({ step: job.relative, done: before + Math.min(done, job.weightBytes), total });
    report();
    const files = await quantizeGraphFile(job, {
      signal: options.signal,
      log,
      onTensor: (bytes) => {
        done += bytes;
        report();
      },
    });
    written.push(...files.map((f) => path.relative(dir, f).split(path.sep).join('/')));
    done = job.weightBytes;
    report();
    before += job.weightBytes;
  }
  const seconds = (performance.now() - started) / 1000;
  if (jobs.length) log(`${precision}: ${jobs.map((j) => path.basename(j.output)).join(', ')} written in ${seconds.toFixed(1)} s`);
  return { written, seconds };
}
