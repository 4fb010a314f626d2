// A loaded Whisper model: sessions, tokenizer and the generation settings the decoder needs.
import * as ort from 'onnxruntime-node';
import * as path from 'path';
import type { LoadOptions, WhisperModel } from './api';
import type { Precision } from '../vocabulary';
import { TranscrevError } from '../errors';
import { WhisperInference } from './inference';
import { MULTILINGUAL_VOCAB } from './languages';
import { collectGarbage } from './collectGarbage';
import { checkModelDir, openSessions, readConfig, type WhisperConfig, type WhisperSessions } from './session';
import { type GenerationConfig, WhisperTokenizer } from './tokenizer';

export class LoadedWhisperModel implements WhisperModel {
  readonly name: string;
  readonly precision: Precision;
  readonly nMels: number;
  readonly isMultilingual: boolean;
  readonly inference: WhisperInference;
  /** [layer, head] pairs whose cross-attention gives word timings; empty when this decoder cannot output it. */
  readonly alignmentHeads: [number, number][];

  constructor(
    readonly dir: string,
    readonly config: WhisperConfig,
    readonly generation: GenerationConfig,
    readonly tokenizer: WhisperTokenizer,
    private readonly sessions: WhisperSessions,
  ) {
    this.name = path.basename(dir);
    this.precision = sessions.precision;
    this.nMels = config.num_mel_bins;
    this.isMultilingual = generation.is_multilingual ?? config.vocab_size >= MULTILINGUAL_VOCAB;
    this.inference = new WhisperInference(sessions, config);
    this.alignmentHeads = sessions.alignmentHeads;
  }

  async dispose(): Promise<void> {
    await Promise.all([this.sessions.encoder.release(), this.sessions.decoder.release()]);
  }
}

export async function loadWhisperModel(dir: string, options: LoadOptions): Promise<LoadedWhisperModel> {
  const absolute = path.resolve(dir);
  checkModelDir(absolute);
  const config = readConfig<WhisperConfig>(absolute, 'config.json');
  for (const key of ['d_model', 'decoder_attention_heads', 'decoder_layers', 'num_mel_bins', 'vocab_size'] as const) {
    if (typeof config[key] !== 'number') throw new TranscrevError('model', `Whisper model ${absolute}: config.json has no ${key}`);
  }
  config.max_target_positions ??= 448;
  config.max_source_positions ??= 1500;
  const generation = readConfig<GenerationConfig>(absolute, 'generation_config.json');
  const tokenizer = WhisperTokenizer.load(absolute, generation);
  const smokeTest = async (candidate: WhisperSessions) => {
    // One decoder step over a zero encoding proves the decoder runs. The encoder is not run: ORT resolves every
    // node's kernel when the session is created (a missing quantized kernel fails there and falls back), and an
    // encoder run on a 30 s window costs ~0.35 s of every core, just when the VAD needs them.
    const inference = new WhisperInference(candidate, config);
    const step = (positions: number) =>
      inference
        .startDecoding(new ort.Tensor('float32', new Float32Array(positions * config.d_model), [1, positions, config.d_model]))
        .feed([tokenizer.special.sot]);
    // One encoder position, not a window's 1500: the step proves the same kernels, and its cross-attention cache is
    // a few kilobytes instead of the window's (37 MB for base, 295 MB for medium), which the allocator would keep
    // resident after it is freed. An export that fixes the encoder length in its shapes gets the whole window.
    await step(1).catch(() => step(config.max_source_positions));
  };
  const sessions = await openSessions(absolute, options.precision, options.threads, options.onWarning, smokeTest, alignmentHeadsOf(config, generation));
  // The smoke test's outputs are garbage now.
  collectGarbage();
  return new LoadedWhisperModel(absolute, config, generation, tokenizer, sessions);
}

/**
 * The checkpoint's alignment heads (generation_config.json, from openai's per-model lists); a checkpoint without
 * them gets every head of the decoder's second half, as openai/whisper falls back to.
 */
function alignmentHeadsOf(config: WhisperConfig, generation: GenerationConfig): [number, number][] {
  const listed = (generation.alignment_heads ?? []).filter(
    ([layer, head]) => Number.isInteger(layer) && Number.isInteger(head) && layer < config.decoder_layers && head < config.decoder_attention_heads,
  );
  if (listed.length) return listed;
  const heads: [number, number][] = [];
  for (let layer = Math.floor(config.decoder_layers / 2); layer < config.decoder_layers; layer++)
    for (let head = 0; head < config.decoder_attention_heads; head++) heads.push([layer, head]);
  return heads;
}
