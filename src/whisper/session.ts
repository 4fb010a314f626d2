// onnxruntime-node sessions for a Whisper model folder in the onnx-community layout:
//   config.json, generation_config.json, tokenizer.json, tokenizer_config.json,
//   onnx/encoder_model[_int8|_q4].onnx, onnx/decoder_model_merged[_int8|_q4].onnx (src/models/layout.ts)
// INT8 is loaded by default; when a quantized file is missing or fails to load (quantized graphs can fail
// in some runtimes) the FP32 pair is loaded instead and the caller is told through onWarning.
import * as fs from 'fs';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { TranscrevError } from '../errors';
import { whisperOnnxFiles } from '../models/layout';
import type { Precision } from '../vocabulary';

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
  };
}

async function createSession(dir: string, relative: string, threads: number): Promise<ort.InferenceSession> {
  const file = path.join(dir, relative);
  if (!fs.existsSync(file)) throw new TranscrevError('model', `Whisper model folder ${dir} is incomplete: missing ${relative}`);
  try {
    return await ort.InferenceSession.create(file, sessionOptions(threads));
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0];
    throw new TranscrevError('model', `Whisper model ${file} failed to load: ${reason}`, { cause: err });
  }
}

async function createPair(dir: string, precision: Precision, threads: number): Promise<WhisperSessions> {
  const files = whisperOnnxFiles(precision);
  const encoder = await createSession(dir, files.encoder, threads);
  let decoder: ort.InferenceSession;
  try {
    decoder = await createSession(dir, files.decoder, threads);
  } catch (err) {
    await encoder.release();
    throw err;
  }
  if (!decoder.inputNames.includes('use_cache_branch')) {
    await Promise.all([encoder.release(), decoder.release()]);
    throw new TranscrevError('model', `Whisper model ${path.join(dir, files.decoder)} is not a merged decoder (no use_cache_branch input)`);
  }
  return { encoder, decoder, precision };
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
): Promise<WhisperSessions> {
  if (precision === 'fp32') return createPair(dir, 'fp32', threads);
  try {
    const sessions = await createPair(dir, precision, threads);
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
    const sessions = await createPair(dir, 'fp32', threads);
    onWarning?.(`${precision.toUpperCase()} model unavailable (${(quantizedError as Error).message}); loaded FP32 instead (larger and slower).`);
    return sessions;
  }
}
