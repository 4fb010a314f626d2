// Whisper's tokenizer from the model folder's tokenizer.json, through @huggingface/tokenizers (the
// pure-JS port kept by Hugging Face, also behind transformers.js): byte-level BPE with GPT-2's
// pre-tokenizer regex. On top of it, what the decoder needs: the special token ids, the language ↔
// token map, the sot sequence, and decoding that drops special and timestamp tokens.
import * as fs from 'fs';
import * as path from 'path';
import { Tokenizer } from '@huggingface/tokenizers';
import { TranscrevError } from '../errors';
import type { SpecialTokens } from './logits';

export interface GenerationConfig {
  lang_to_id?: Record<string, number>;
  task_to_id?: Record<string, number>;
  suppress_tokens?: number[];
  begin_suppress_tokens?: number[];
  no_timestamps_token_id?: number;
  is_multilingual?: boolean;
  max_initial_timestamp_index?: number;
  decoder_start_token_id?: number;
  /** [layer, head] pairs of the decoder whose cross-attention follows the speech (for word timings). */
  alignment_heads?: [number, number][];
  eos_token_id?: number;
  prev_sot_token_id?: number;
}

const LANGUAGE_TOKEN = /^<\|([a-z]{2,3}|haw|yue)\|>$/;

export class WhisperTokenizer {
  readonly special: SpecialTokens;
  /** 'pt' → id of <|pt|>, in the model's language order. */
  readonly languageTokens: Map<string, number>;
  readonly tokenLanguages: Map<number, string>;
  readonly vocabSize: number;

  private constructor(
    private readonly tokenizer: Tokenizer,
    special: SpecialTokens,
    languageTokens: Map<string, number>,
  ) {
    this.special = special;
    this.languageTokens = languageTokens;
    this.tokenLanguages = new Map([...languageTokens].map(([code, id]) => [id, code]));
    this.vocabSize = tokenizer.get_vocab(true).size;
  }

  static load(dir: string, generation: GenerationConfig): WhisperTokenizer {
    const file = path.join(dir, 'tokenizer.json');
    let json: unknown;
    let config: Record<string, unknown> = {};
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8'));
      const configFile = path.join(dir, 'tokenizer_config.json');
      if (fs.existsSync(configFile)) config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
    } catch (err) {
      throw new TranscrevError('model', `Whisper model ${dir}: cannot read ${file}: ${(err as Error).message}`, { cause: err });
    }
    // Decode exactly as openai/whisper does: no "clean up" of spaces before punctuation.
    const tokenizer = new Tokenizer(json as object, { ...config, clean_up_tokenization_spaces: false });
    const id = (token: string): number | undefined => tokenizer.token_to_id(token);
    const need = (token: string, fallback?: number): number => {
      const v = id(token) ?? fallback;
      if (v === undefined) throw new TranscrevError('model', `Whisper model ${dir}: tokenizer.json lacks ${token}`);
      return v;
    };
    const noTimestamps = need('<|notimestamps|>', generation.no_timestamps_token_id);
    const special: SpecialTokens = {
      eot: need('<|endoftext|>', generation.eos_token_id),
      sot: need('<|startoftranscript|>', generation.decoder_start_token_id),
      sotPrev: need('<|startofprev|>', generation.prev_sot_token_id),
      noSpeech: id('<|nospeech|>') ?? need('<|nocaptions|>'),
      noTimestamps,
      // Timestamps follow <|notimestamps|> whether or not tokenizer.json lists them.
      timestampBegin: noTimestamps + 1,
      transcribe: need('<|transcribe|>', generation.task_to_id?.transcribe),
      translate: need('<|translate|>', generation.task_to_id?.translate),
    };
    const languages = new Map<string, number>();
    if (generation.lang_to_id) {
      for (const [token, tokenId] of Object.entries(generation.lang_to_id)) {
        const m = LANGUAGE_TOKEN.exec(token);
        if (m) languages.set(m[1], tokenId);
      }
    } else {
      // No lang_to_id: languages are the added tokens between <|startoftranscript|> and <|translate|>.
      for (const [tokenId, added] of tokenizer.get_added_tokens_decoder()) {
        const m = LANGUAGE_TOKEN.exec(added.content);
        if (m && tokenId > special.sot && tokenId < special.translate) languages.set(m[1], tokenId);
      }
    }
    return new WhisperTokenizer(tokenizer, special, new Map([...languages].sort((a, b) => a[1] - b[1])));
  }

  /** Plain text → BPE ids, without any special token (for prompts). */
  encode(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  /** Ids → text, skipping eot, every special token and every timestamp. */
  decode(ids: readonly number[]): string {
    const text = ids.filter((t) => t < this.special.eot);
    if (text.length === 0) return ''; // the library rejects an empty id list
    return this.tokenizer.decode(text, { skip_special_tokens: true, clean_up_tokenization_spaces: false });
  }

  /** 'pt', 'PT', 'pt-BR', 'pt_BR' → 'pt' (Whisper has one token per language, no regions). */
  normalizeLanguage(code: string): string {
    const lower = code.trim().toLowerCase();
    if (this.languageTokens.has(lower)) return lower;
    return lower.split(/[-_]/)[0];
  }

  languageToken(code: string): number {
    const tokenId = this.languageTokens.get(this.normalizeLanguage(code));
    if (tokenId === undefined) {
      throw new TranscrevError('usage', `Unknown language "${code}": use 'auto' or one of ${[...this.languageTokens.keys()].join(', ')}.`);
    }
    return tokenId;
  }

  /** <|startoftranscript|><|lang|><|task|>, or just <|startoftranscript|> for English-only models. */
  sotSequence(multilingual: boolean, language: string | null, task: 'transcribe' | 'translate'): number[] {
    const seq = [this.special.sot];
    if (multilingual && language) {
      seq.push(this.languageToken(language));
      seq.push(task === 'translate' ? this.special.translate : this.special.transcribe);
    }
    return seq;
  }
}
