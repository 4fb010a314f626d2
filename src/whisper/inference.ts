// One encoder run per 30 s window, then token-by-token decoder runs with the key/value cache of the
// merged decoder (Optimum layout):
//   inputs  input_ids [1, seq] int64, encoder_hidden_states [1, 1500, d_model],
//           past_key_values.{i}.{decoder,encoder}.{key,value} [1, heads, past, head_dim], use_cache_branch [1] bool
//   outputs logits [1, seq, vocab], present.{i}.{decoder,encoder}.{key,value}
// First step: use_cache_branch = false and zero-length past tensors of the right rank (the graph
// computes the cross-attention keys from encoder_hidden_states). Every later step: use_cache_branch =
// true, only the newest token, and each present.* tensor handed back as the matching past_key_values.*
// input as is — the ORT output tensors are reused, never copied in JS.
// The cross-attention cache (present.*.encoder.*: 6 layers × K,V × 3 MB ≈ 37 MB for base) is
// computed once, in the first step, and kept: later steps fetch only logits and the self-attention
// cache. This is required, not only cheaper: in the cache branch Optimum's merged graph returns
// placeholder present.*.encoder.* tensors, and feeding those back fails ("right operand cannot
// broadcast", measured with whisper-base), so they must never replace the first step's.
import * as ort from 'onnxruntime-node';
import type { WhisperConfig, WhisperSessions } from './session';

export class WhisperInference {
  private readonly headDim: number;
  /** present.X output name → past_key_values.X input name. */
  private readonly presentToPast: [string, string][];
  private readonly pastInputs: string[];

  constructor(
    private readonly sessions: WhisperSessions,
    private readonly config: WhisperConfig,
  ) {
    this.headDim = config.d_model / config.decoder_attention_heads;
    this.pastInputs = sessions.decoder.inputNames.filter((n) => n.startsWith('past_key_values.'));
    this.presentToPast = sessions.decoder.outputNames
      .filter((n) => n.startsWith('present.'))
      .map((n) => [n, n.replace(/^present\./, 'past_key_values.')] as [string, string])
      .filter(([, past]) => this.pastInputs.includes(past));
  }

  /** Encoder output for one [nMels, 3000] window. */
  async encode(melWindow: Float32Array): Promise<ort.Tensor> {
    const input = new ort.Tensor('float32', melWindow, [1, this.config.num_mel_bins, melWindow.length / this.config.num_mel_bins]);
    const out = await this.sessions.encoder.run({ [this.sessions.encoder.inputNames[0]]: input });
    return out[this.sessions.encoder.outputNames[0]] as ort.Tensor;
  }

  /** A decoding pass over one encoded window. */
  startDecoding(encoderHidden: ort.Tensor): DecoderPass {
    return new DecoderPass(this.sessions.decoder, encoderHidden, this.pastInputs, this.presentToPast, this.config, this.headDim);
  }
}

export class DecoderPass {
  private past: Record<string, ort.Tensor> | null = null;
  /** Outputs fetched after the first step: logits and the self-attention (decoder) cache. */
  private readonly stepFetches: string[];
  private readonly vocab: number;
  /** Tokens fed so far (the decoder context length). */
  length = 0;

  constructor(
    private readonly decoder: ort.InferenceSession,
    private readonly encoderHidden: ort.Tensor,
    private readonly pastInputs: string[],
    private readonly presentToPast: [string, string][],
    private readonly config: WhisperConfig,
    private readonly headDim: number,
  ) {
    this.vocab = config.vocab_size;
    this.stepFetches = ['logits', ...presentToPast.map(([present]) => present).filter((n) => n.includes('.decoder.'))];
  }

  /**
   * Feeds `tokens` (the whole initial sequence on the first call, then one token at a time) and
   * returns the logits of every fed position, [tokens.length × vocab] row-major.
   */
  async feed(tokens: readonly number[]): Promise<Float32Array> {
    const inputIds = new ort.Tensor('int64', BigInt64Array.from(tokens, (t) => BigInt(t)), [1, tokens.length]);
    const feeds: Record<string, ort.Tensor> = {
      input_ids: inputIds,
      encoder_hidden_states: this.encoderHidden,
      use_cache_branch: new ort.Tensor('bool', [this.past !== null], [1]),
    };
    if (this.past) {
      Object.assign(feeds, this.past);
    } else {
      const empty = new Float32Array(0);
      for (const name of this.pastInputs) {
        feeds[name] = new ort.Tensor('float32', empty, [1, this.config.decoder_attention_heads, 0, this.headDim]);
      }
    }
    const firstStep = this.past === null;
    const out = firstStep ? await this.decoder.run(feeds) : await this.decoder.run(feeds, this.stepFetches);
    const next: Record<string, ort.Tensor> = firstStep ? {} : this.past!;
    for (const [present, past] of this.presentToPast) {
      if (out[present]) next[past] = out[present] as ort.Tensor;
    }
    this.past = next;
    this.length += tokens.length;
    const logits = out.logits as ort.Tensor;
    const data = logits.data as Float32Array;
    if (data.length !== tokens.length * this.vocab) {
      // Some exports pad the vocabulary; keep only the real rows' first `vocab` columns.
      const width = data.length / tokens.length;
      const trimmed = new Float32Array(tokens.length * this.vocab);
      for (let r = 0; r < tokens.length; r++) trimmed.set(data.subarray(r * width, r * width + this.vocab), r * this.vocab);
      return trimmed;
    }
    return data;
  }

  /** Row `index` of a logits block returned by feed(), as its own (mutable) array. */
  row(block: Float32Array, index: number): Float32Array {
    return block.slice(index * this.vocab, (index + 1) * this.vocab);
  }
}
