// onnxruntime-node sessions for a Whisper model folder in the onnx-community layout:
//   config.json, generation_config.json, tokenizer.json, tokenizer_config.json,
//   onnx/encoder_model[_int8|_q4].onnx, onnx/decoder_model_merged[_int8|_q4].onnx (src/models/layout.ts)
// INT8 is loaded by default; when a quantized file is missing or fails to load (quantized graphs can fail
// in some runtimes) the FP32 pair is loaded instead and the caller is told through onWarning.
import * as fs from 'fs';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { TranscrevError } from '../errors';
import { inNativeCall } from '../nativeRun';
import { quantizedGraphProblem } from '../models/dynamicQuantization';
import { whisperOnnxFiles } from '../models/layout';
import type { Precision } from '../vocabulary';
import { withCrossAttentionOutputs } from './crossAttentionGraph';

export interface WhisperConfig {
  d_model: number;
  decoder_attention_heads: number;
  decoder_layers: number;
  num_mel_bins: number;
  vocab_size: number;
  /** Decoder context (448). */
  max_target_positions: number;
  /** Encoder positions (1500 = 3000 mel frames / 2). */
  max_source_positions: number;
}

export const REQUIRED_FILES = ['config.json', 'generation_config.json', 'tokenizer.json'] as const;

export interface WhisperSessions {
  encoder: ort.InferenceSession;
  decoder: ort.InferenceSession;
  precision: Precision;
  /** The [layer, head] pairs whose cross-attention the decoder outputs (`cross_attentions.<layer>`); empty: no word timings. */
  alignmentHeads: [number, number][];
}

function readJson<T>(dir: string, name: string): T {
  const file = path.join(dir, name);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (err) {
    throw new TranscrevError('model', `Whisper model ${dir}: ${name} is unreadable (${(err as Error).message.split('\n')[0]})`, { cause: err });
  }
}

/** Checks the folder has the text files every precision needs; throws one line naming what is missing. */
export function checkModelDir(dir: string): void {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new TranscrevError('model', `Whisper model folder not found: ${dir}`);
  const missing = REQUIRED_FILES.filter((f) => !fs.existsSync(path.join(dir, f)));
  if (missing.length) throw new TranscrevError('model', `Whisper model folder ${dir} is incomplete: missing ${missing.join(', ')}`);
}

export function readConfig<T>(dir: string, name: string): T {
  return readJson<T>(dir, name);
}

function sessionOptions(threads: number): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: ['cpu'],
    // Set explicitly: the default added no thread on a 2-core machine (measured).
    intraOpNumThreads: Math.max(1, Math.floor(threads)),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // No memory arena: the arena keeps every window's peak (encoder activations, first-step logits) for the
    // life of the session and grows with fragmentation (measured on the 330 s meeting: 837 MB with it, 627 MB
    // without, at the same speed). Freed buffers go back to malloc instead.
    enableCpuMemArena: false,
    // No memory pattern either: ORT plans and keeps one per input shape, and word timings add a shape per window (the
    // alignment run). Measured on the 330 s meeting with --words, whole tree: 474–477 MB without, 503–523 MB with, at
    // the same speed; without words 433–436 MB against 439–480 MB.
    enableMemPattern: false,
  };
}

/**
 * Where ORT looks for the weights of a graph loaded from memory. ORT refuses weights outside that folder once
 * symbolic links are followed, so a graph whose `.onnx_data` is a link (a model folder assembled from links) is
 * given the folder the link points into.
 */
function weightsFolder(file: string): string {
  try {
    return path.dirname(fs.realpathSync(`${file}_data`));
  } catch {
    return path.dirname(file);
  }
}

/**
 * Opens one graph. With `attentionLayers`, the graph is edited in memory to output those layers'
 * cross-attention (crossAttentionGraph.ts) and loaded from the edited bytes, its weights still read from the
 * external data file beside it; `exposed` tells whether that worked (else the graph is loaded as it is).
 */
async function createSession(
  dir: string,
  relative: string,
  threads: number,
  alignmentHeads: readonly [number, number][] = [],
): Promise<{ session: ort.InferenceSession; exposed: boolean }> {
  const file = path.join(dir, relative);
  if (!fs.existsSync(file)) throw new TranscrevError('model', `Whisper model folder ${dir} is incomplete: missing ${relative}`);
  try {
    const edited = alignmentHeads.length ? withCrossAttentionOutputs(fs.readFileSync(file), alignmentHeads) : null;
    if (edited) {
      try {
        const options = { ...sessionOptions(threads), extra: { session: { model_external_initializers_file_folder_path: weightsFolder(file) } } };
        return { session: await inNativeCall(() => ort.InferenceSession.create(edited, options)), exposed: true };
      } catch {
        // Whatever keeps the edited graph from loading (an unusual layout of its weights), the graph as it is
        // still transcribes: only the word timings are lost, and the caller says so.
      }
    }
    return { session: await inNativeCall(() => ort.InferenceSession.create(file, sessionOptions(threads))), exposed: false };
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0];
    throw new TranscrevError('model', `Whisper model ${file} failed to load: ${reason}`, { cause: err });
  }
}

async function createPair(dir: string, precision: Precision, threads: number, alignmentHeads: readonly [number, number][]): Promise<WhisperSessions> {
  const files = whisperOnnxFiles(precision);
  const { session: encoder } = await createSession(dir, files.encoder, threads);
  let decoder: ort.InferenceSession;
  let exposed: boolean;
  try {
    ({ session: decoder, exposed } = await createSession(dir, files.decoder, threads, alignmentHeads));
  } catch (err) {
    await encoder.release();
    throw err;
  }
  if (!decoder.inputNames.includes('use_cache_branch')) {
    await Promise.all([encoder.release(), decoder.release()]);
    throw new TranscrevError('model', `Whisper model ${path.join(dir, files.decoder)} is not a merged decoder (no use_cache_branch input)`);
  }
  return { encoder, decoder, precision, alignmentHeads: exposed ? [...alignmentHeads] : [] };
}

/**
 * Loads the requested precision, falling back from a quantized one (int8, q4) to FP32 with a warning. `smokeTest` runs the
 * freshly loaded pair once: some quantized graphs load but fail at their first run (an op without an
 * INT8 kernel), and that must fall back too rather than fail mid-transcription.
 */
export async function openSessions(
  dir: string,
  precision: Precision,
  threads: number,
  onWarning?: (message: string) => void,
  smokeTest?: (sessions: WhisperSessions) => Promise<void>,
  alignmentHeads: readonly [number, number][] = [],
): Promise<WhisperSessions> {
  if (precision === 'fp32') return createPair(dir, 'fp32', threads, alignmentHeads);
  // A folder of the user's own may hold a hub's dynamically quantized graphs: they run, with the fix named.
  const dynamic = quantizedGraphProblem(dir, precision);
  if (dynamic) onWarning?.(dynamic);
  try {
    const sessions = await createPair(dir, precision, threads, alignmentHeads);
    if (smokeTest) {
      try {
        await smokeTest(sessions);
      } catch (err) {
        await Promise.all([sessions.encoder.release(), sessions.decoder.release()]);
        const reason = (err as Error).message.split('\n')[0];
        throw new TranscrevError('model', `Whisper model ${dir}: the ${precision} graphs loaded but failed to run: ${reason}`, { cause: err });
      }
    }
    return sessions;
  } catch (quantizedError) {
    const fp32 = whisperOnnxFiles('fp32');
    if (!fs.existsSync(path.join(dir, fp32.encoder)) || !fs.existsSync(path.join(dir, fp32.decoder))) throw quantizedError;
    const sessions = await createPair(dir, 'fp32', threads, alignmentHeads);
    onWarning?.(`${precision.toUpperCase()} model unavailable (${(quantizedError as Error).message}); loaded FP32 instead (larger and slower).`);
    return sessions;
  }
}
