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
import { inNativeCall } from '../nativeRun';
import { releaseNow } from './releaseNow';
import type { WhisperConfig, WhisperSessions } from './session';
import { crossAttentionOutput, headsByLayer } from './crossAttentionGraph';

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
    const out = await inNativeCall(() => this.sessions.encoder.run({ [this.sessions.encoder.inputNames[0]]: input }));
    return out[this.sessions.encoder.outputNames[0]] as ort.Tensor;
  }

  /**
   * The cross-attention of the given [layer, head] pairs for a whole token sequence fed at once, with no
   * self-attention past: one [tokens × encoder positions] block per head, by layer then head (alignment for word
   * timings). With `crossCache` (a pass's, DecoderPass.crossCache) the encoder positions are not projected again.
   * The session must output `cross_attentions.<layer>` (session.ts).
   */
  async crossAttention(
    encoderHidden: ort.Tensor,
    tokens: readonly number[],
    heads: readonly [number, number][],
    crossCache?: Record<string, ort.Tensor>,
  ): Promise<{ heads: Float32Array[]; positions: number }> {
    const feeds: Record<string, ort.Tensor> = {
      input_ids: tokenTensor(tokens, [1, tokens.length]),
      encoder_hidden_states: encoderHidden,
      // With the window's cross-attention cache, the cache branch runs (an empty self-attention past, every token
      // at once): the same weights, without projecting the 1500 encoder positions again (13 ms instead of 146, base).
      use_cache_branch: new ort.Tensor('bool', [crossCache !== undefined], [1]),
      ...emptyPast(this.pastInputs, this.config, this.headDim),
      ...crossCache,
    };
    const byLayer = headsByLayer(heads);
    const out = await this.sessions.decoder.run(
      feeds,
      [...byLayer.keys()].map((l) => crossAttentionOutput(l)),
    );
    let positions = 0;
    // Each output holds its layer's alignment heads only, in ascending order (crossAttentionGraph.ts); views, no copies.
    const blocks = [...byLayer].flatMap(([layer, layerHeads]) => {
      const t = out[crossAttentionOutput(layer)] as ort.Tensor;
      const [, nHeads, rows, cols] = t.dims;
      if (nHeads !== layerHeads.length || rows !== tokens.length) throw new Error(`cross-attention of layer ${layer} has shape ${t.dims.join('×')}`);
      positions = cols;
      return layerHeads.map((_, k) => (t.data as Float32Array).subarray(k * rows * cols, (k + 1) * rows * cols));
    });
    return { heads: blocks, positions };
  }

  /** A decoding pass over one encoded window. */
  startDecoding(encoderHidden: ort.Tensor): DecoderPass {
    return new DecoderPass(this.sessions.decoder, encoderHidden, this.pastInputs, this.presentToPast, this.config, this.headDim);
  }
}

export class DecoderPass {
  private past: Record<string, ort.Tensor> | null = null;
  /** Outputs fetched at the first step: logits and both caches (not the cross-attention weights). */
  private readonly firstFetches: string[];
  /** Outputs fetched after the first step: logits and the self-attention (decoder) cache. */
  private readonly stepFetches: string[];
  /** past_key_values.*.decoder.* (the self-attention cache, one row per hypothesis). */
  private readonly selfCacheNames: string[];
  /** past_key_values.*.encoder.* (the cross-attention cache, computed once from the prompt step). */
  private readonly crossCacheNames: string[];
  /** Set when the export cannot broadcast a batch-1 cross-attention cache over several rows. */
  private crossPerRow = false;
  private readonly vocab: number;
  /** How many positions the prompt step fed and how many logits rows it returned. */
  private promptRows?: { fed: number; rows: number };
  /** The prompt step's cross-attention cache (batch 1), for the alignment run. */
  private firstCrossCache?: Record<string, ort.Tensor>;

  constructor(
    private readonly decoder: ort.InferenceSession,
    private readonly encoderHidden: ort.Tensor,
    private readonly pastInputs: string[],
    private readonly presentToPast: [string, string][],
    private readonly config: WhisperConfig,
    private readonly headDim: number,
  ) {
    this.vocab = config.vocab_size;
    this.firstFetches = ['logits', ...presentToPast.map(([present]) => present)];
    this.stepFetches = ['logits', ...presentToPast.map(([present]) => present).filter((n) => n.includes('.decoder.'))];
    this.selfCacheNames = presentToPast.map(([, past]) => past).filter((n) => n.includes('.decoder.'));
    this.crossCacheNames = presentToPast.map(([, past]) => past).filter((n) => n.includes('.encoder.'));
  }

  /**
   * Feeds the prompt (the whole initial sequence, one row): the first call of a pass. Returns the logits of
   * the positions the graph projects (see promptRow). Every later step goes through feedRows.
   */
  async feed(tokens: readonly number[]): Promise<Float32Array> {
    if (this.past !== null) throw new Error('feed() takes the prompt only: continue with feedRows()');
    return this.run(tokenTensor(tokens, [1, tokens.length]));
  }

  /**
   * One token per row, for several hypotheses side by side (beam search, best-of sampling): row i continues
   * row `sources[i]` of the previous call (of the single prompt row at first). Returns [rows × vocab].
   * Only the self-attention cache is per row: the cross-attention cache of the prompt step keeps batch 1 and
   * broadcasts over the rows, so five beams cost their own few kilobytes per token, not 37 MB each (base).
   */
  async feedRows(tokens: readonly number[], sources: readonly number[]): Promise<Float32Array> {
    if (this.past === null) throw new Error('feedRows needs the prompt fed first');
    this.reorderRows(sources);
    const inputIds = tokenTensor(tokens, [tokens.length, 1]);
    if (tokens.length === 1 || this.crossPerRow) return this.run(inputIds);
    try {
      return await this.run(inputIds);
    } catch {
      // An export whose attention reshapes by the batch size cannot broadcast the batch-1 cross-attention
      // cache: give every row its own copy from now on (more memory, same result).
      this.crossPerRow = true;
      const rows = tokens.map((_, i) => i);
      const past = this.past!;
      for (const name of this.crossCacheNames)
        past[name] = gatherRows(
          past[name],
          rows.map(() => 0),
        );
      return this.run(inputIds);
    }
  }

  private async run(inputIds: ort.Tensor): Promise<Float32Array> {
    const feeds: Record<string, ort.Tensor> = {
      input_ids: inputIds,
      encoder_hidden_states: this.encoderHidden,
      use_cache_branch: new ort.Tensor('bool', [this.past !== null], [1]),
    };
    Object.assign(feeds, this.past ?? emptyPast(this.pastInputs, this.config, this.headDim));
    const firstStep = this.past === null;
    const out = await this.decoder.run(feeds, firstStep ? this.firstFetches : this.stepFetches);
    // Our exports return the logits of the last few positions only (tools/models: LOGITS_KEPT_POSITIONS);
    // others return every fed position. Rows are counted from the end either way.
    if (firstStep) this.promptRows = { fed: inputIds.dims[1], rows: (out.logits as ort.Tensor).dims[1] };
    const next: Record<string, ort.Tensor> = firstStep ? {} : this.past!;
    for (const [present, past] of this.presentToPast) {
      if (!out[present]) continue;
      // The step's self-attention cache replaces the previous one, which nothing else holds (releaseNow.ts).
      if (!firstStep) releaseNow(next[past].data as Float32Array);
      next[past] = out[present] as ort.Tensor;
    }
    if (firstStep) this.firstCrossCache = Object.fromEntries(this.crossCacheNames.map((name) => [name, next[name]]));
    this.past = next;
    const logits = out.logits as ort.Tensor;
    const data = logits.data as Float32Array;
    const positions = logits.dims[0] * logits.dims[1];
    if (data.length !== positions * this.vocab) {
      // Some exports pad the vocabulary; keep only the real rows' first `vocab` columns.
      const width = data.length / positions;
      const trimmed = new Float32Array(positions * this.vocab);
      for (let r = 0; r < positions; r++) trimmed.set(data.subarray(r * width, r * width + this.vocab), r * this.vocab);
      return trimmed;
    }
    return data;
  }

  /** Row i of every per-row cache tensor becomes old row sources[i] (a no-op when nothing moves). */
  private reorderRows(sources: readonly number[]): void {
    const past = this.past!;
    const oldRows = past[this.selfCacheNames[0]].dims[0];
    if (sources.length === oldRows && sources.every((s, i) => s === i)) return;
    const names = this.crossPerRow ? [...this.selfCacheNames, ...this.crossCacheNames] : this.selfCacheNames;
    for (const name of names) {
      const old = past[name];
      past[name] = gatherRows(old, sources);
      // The prompt step's cross-attention cache stays: the alignment run uses it (crossCache()).
      if (old !== this.firstCrossCache?.[name]) releaseNow(old.data as Float32Array);
    }
  }

  /** The cross-attention cache the prompt step computed (batch 1); undefined before it. */
  crossCache(): Record<string, ort.Tensor> | undefined {
    return this.firstCrossCache;
  }

  /** Row `index` of a logits block returned by feed(), as its own (mutable) array. */
  row(block: Float32Array, index: number): Float32Array {
    return block.slice(index * this.vocab, (index + 1) * this.vocab);
  }

  /** The logits of prompt position `position` from the block the first feed() returned. */
  promptRow(block: Float32Array, position: number): Float32Array {
    const { fed, rows } = this.promptRows ?? { fed: 0, rows: 0 };
    const index = position - (fed - rows);
    if (index < 0 || index >= rows)
      throw new Error(`the decoder returned the logits of its last ${rows} positions; position ${position} of ${fed} is not among them`);
    return this.row(block, index);
  }
}

/** Token ids as the decoder's int64 input. */
function tokenTensor(tokens: readonly number[], dims: number[]): ort.Tensor {
  return new ort.Tensor(
    'int64',
    BigInt64Array.from(tokens, (t) => BigInt(t)),
    dims,
  );
}

/** Zero-length past tensors of the right rank for every past input: a run without a cache. */
function emptyPast(names: readonly string[], config: WhisperConfig, headDim: number): Record<string, ort.Tensor> {
  const empty = new Float32Array(0);
  return Object.fromEntries(names.map((name) => [name, new ort.Tensor('float32', empty, [1, config.decoder_attention_heads, 0, headDim])]));
}

/** A [rows, ...] tensor whose row i is row rows[i] of `t`. */
function gatherRows(t: ort.Tensor, rows: readonly number[]): ort.Tensor {
  const data = t.data as Float32Array;
  const rowSize = data.length / t.dims[0];
  const out = new Float32Array(rowSize * rows.length);
  for (let i = 0; i < rows.length; i++) out.set(data.subarray(rows[i] * rowSize, (rows[i] + 1) * rowSize), i * rowSize);
  return new ort.Tensor('float32', out, [rows.length, ...t.dims.slice(1)]);
}
