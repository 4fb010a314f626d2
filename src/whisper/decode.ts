// Whisper's long-form transcription: the loop of openai/whisper transcribe.py (as also followed by
// faster-whisper), with every threshold a named parameter.
//
//   seek ← 0
//   while seek < end of audio:
//     skip the window if it is digital silence (no decoder run at all)
//     encode the 30 s window at seek
//     decode it at T = 0 (a token loop stops the pass early); if the text is too repetitive
//       (compression ratio, loop) or too unlikely (avg logprob) retry at the next temperature —
//       unless the window looks like silence
//     skip the window if it is silence (no-speech prob high and avg logprob low)
//     cut the tokens into segments at timestamp pairs; move seek to the last closed timestamp
//     the window's tokens become the prompt of the next one (unless the decode was too random)
//
// With VAD regions (options.speech) only the speech is decoded: see speechMap.ts.
import type { Segment } from '../transcript';
import type { DecodeOptions, DecodeResult, DecodeStats } from './api';
import { throwIfCancelled } from '../errors';
import { seededRandom } from '../random';
import { compressionRatio } from './compression';
import {
  applyTimestampRules,
  argmax,
  sampleToken,
  suppress,
  TIME_PRECISION,
  tokenLogprob,
  tokenProbability,
} from './logits';
import { HOP_LENGTH, N_FRAMES, SAMPLE_RATE, WindowedLogMel } from './mel';
import type { LoadedWhisperModel } from './model';
import { DEFAULT_REPETITION_RULE, findRepetitionLoop, type RepetitionRule } from './repetition';
import { splitWindow } from './segments';
import { joinSpeech, speechChunks } from './speechMap';
import type { DecoderPass } from './inference';
import type * as ort from 'onnxruntime-node';

export interface LongFormParams {
  /** Temperature fallback ladder. */
  temperatures: number[];
  /** Retry when the window's text compresses better than this (a repetition loop). */
  compressionRatioThreshold: number;
  /** Retry when the mean token log-probability is below this. */
  logprobThreshold: number;
  /** A window is silence when P(<|nospeech|>) exceeds this and the logprob is also low. */
  noSpeechThreshold: number;
  conditionOnPreviousText: boolean;
  /** Previous text stops being a prompt after a window that needed a temperature above this. */
  promptResetTemperature: number;
  /** The first timestamp of a window may not be later than this (seconds). */
  maxInitialTimestamp: number;
  /** Seed of the sampler used at T > 0, so runs repeat. */
  seed: number;
  /**
   * A window whose samples never exceed this peak (−80 dBFS) is digital silence and is not decoded:
   * without VAD, Whisper answers pure silence with " you" and similar at a logprob that passes the
   * no-speech rule (measured on base with 'auto').
   */
  silencePeak: number;
  repetition: RepetitionRule;
}

export const DEFAULT_LONG_FORM_PARAMS: LongFormParams = {
  temperatures: [0, 0.2, 0.4, 0.6, 0.8, 1.0],
  compressionRatioThreshold: 2.4,
  logprobThreshold: -1.0,
  noSpeechThreshold: 0.6,
  conditionOnPreviousText: true,
  promptResetTemperature: 0.5,
  maxInitialTimestamp: 1.0,
  seed: 0,
  silencePeak: 1e-4,
  repetition: DEFAULT_REPETITION_RULE,
};

const EMPTY_SAMPLES = new Float32Array(0);

/** Language reported when 'auto' had no speech to detect from (ISO 639-2 "undetermined"). */
export const UNDETERMINED_LANGUAGE = 'und';

interface WindowDecode {
  /** Sampled tokens after the sot sequence, eot excluded. */
  tokens: number[];
  avgLogprob: number;
  noSpeechProb: number;
  compressionRatio: number;
  temperature: number;
  /** The decode fell into a token loop and was cut (the extra copies removed). */
  looped: boolean;
}

export async function transcribe(model: LoadedWhisperModel, input: Float32Array, options: DecodeOptions): Promise<DecodeResult> {
  const params = resolveParams(options);
  const { tokenizer } = model;
  const special = tokenizer.special;
  const task = options.task ?? 'transcribe';
  const signal = options.signal;
  const report = progressReporter(options.onProgress);
  const fixedLanguage = !model.isMultilingual ? 'en' : options.language === 'auto' ? null : tokenizer.normalizeLanguage(options.language);
  if (fixedLanguage && model.isMultilingual) tokenizer.languageToken(fixedLanguage); // unknown code → usage error now
  report(0);
  const stats: DecodeStats = { decodedSeconds: 0, melMs: 0, encoderRuns: 0, encoderMs: 0, decoderSteps: 0, decoderMs: 0, fallbacks: 0, silentWindows: 0 };
  const timed = async <T>(work: () => Promise<T>, add: (ms: number) => void): Promise<T> => {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      add(performance.now() - t0);
    }
  };

  // VAD: decode only the speech, joined; map times back at the end.
  let audio = input;
  let toOriginal = (start: number, end: number) => ({ start, end });
  if (options.speech) {
    if (options.speech.length === 0) {
      report(100);
      return { language: fixedLanguage ?? UNDETERMINED_LANGUAGE, segments: [], stats };
    }
    const map = joinSpeech(input, speechChunks(options.speech, input.length));
    audio = map.samples;
    toOriginal = map.segmentToOriginal;
  }
  // From here on only `audio` is used: let go of the caller's full-length samples (230 MB per hour), so a
  // caller that keeps no reference of its own (the transcription child) holds one copy, not two.
  input = EMPTY_SAMPLES;
  throwIfCancelled(signal);
  const melStart = performance.now();
  // Windows of log-mel computed as the loop reaches them (one window in memory, not 115 MB per hour).
  const mel = await WindowedLogMel.create(audio, model.nMels, signal);
  stats.melMs = performance.now() - melStart;
  stats.decodedSeconds = audio.length / SAMPLE_RATE;
  throwIfCancelled(signal);
  const contentFrames = mel.nFrames;
  const contentSeconds = (contentFrames * HOP_LENGTH) / SAMPLE_RATE;

  const textContext = model.config.max_target_positions;
  const initialPrompt = options.initialPrompt?.trim() ? tokenizer.encode(' ' + options.initialPrompt.trim()) : [];
  const allTokens: number[] = [...initialPrompt];
  let promptResetSince = 0;
  let language = fixedLanguage;
  const segments: Segment[] = [];
  const windowBuffer = new Float32Array(model.nMels * N_FRAMES);
  const suppressTokens = suppressedTokenIds(model);
  const beginSuppress = model.generation.begin_suppress_tokens ?? [...tokenizer.encode(' '), special.eot];
  const maxInitialTimestampIndex = Math.round(params.maxInitialTimestamp / TIME_PRECISION);

  let seek = 0;
  while (seek < contentFrames) {
    throwIfCancelled(signal);
    const windowFrames = Math.min(N_FRAMES, contentFrames - seek);
    const timeOffset = (seek * HOP_LENGTH) / SAMPLE_RATE;
    if (peakAmplitude(audio, seek * HOP_LENGTH, (seek + windowFrames) * HOP_LENGTH) < params.silencePeak) {
      stats.silentWindows++;
      seek += windowFrames;
      report((100 * seek) / contentFrames);
      continue;
    }
    const w0 = performance.now();
    const window = mel.window(seek, windowFrames, windowBuffer);
    stats.melMs += performance.now() - w0;
    const encoded = await timed(() => model.inference.encode(window), (ms) => {
      stats.encoderMs += ms;
      stats.encoderRuns++;
    });
    throwIfCancelled(signal); // an abort during the encoder run takes effect before decoding starts
    if (language === null) language = await detectLanguage(model, encoded);
    const sot = tokenizer.sotSequence(model.isMultilingual, language, task);
    const prompt = allTokens.slice(promptResetSince);

    // Temperature fallback.
    let result: WindowDecode | undefined;
    for (let attempt = 0; attempt < params.temperatures.length; attempt++) {
      const temperature = params.temperatures[attempt];
      const random = seededRandom(params.seed + seek * 31 + attempt);
      if (attempt > 0) stats.fallbacks++;
      result = await decodeWindow(model, encoded, prompt, sot, temperature, random);
      const tooRepetitive = result.compressionRatio > params.compressionRatioThreshold || result.looped;
      const tooUnlikely = result.avgLogprob < params.logprobThreshold;
      const looksSilent = result.noSpeechProb > params.noSpeechThreshold && tooUnlikely;
      if (looksSilent || !(tooRepetitive || tooUnlikely)) break;
    }
    const decoded = result!;

    // No speech: skip the whole window without text.
    if (decoded.noSpeechProb > params.noSpeechThreshold && !(decoded.avgLogprob > params.logprobThreshold)) {
      stats.silentWindows++;
      seek += windowFrames;
      report((100 * seek) / contentFrames);
      continue;
    }

    const { segments: parts, seekFrames } = splitWindow(decoded.tokens, special.timestampBegin, windowFrames);
    const windowEnd = Math.min(contentSeconds, timeOffset + (windowFrames * HOP_LENGTH) / SAMPLE_RATE);
    for (const part of parts) {
      const text = tokenizer.decode(part.tokens).trim();
      if (!text || part.start >= part.end) continue;
      // Timestamps past the end of the audio (possible in a short last window) are clamped to it.
      const end = Math.min(windowEnd, timeOffset + part.end);
      const start = Math.min(timeOffset + part.start, end);
      const original = toOriginal(start, end);
      segments.push({
        start: round3(original.start),
        end: round3(original.end),
        text,
        avgLogprob: decoded.avgLogprob,
        noSpeechProb: decoded.noSpeechProb,
        compressionRatio: decoded.compressionRatio,
        temperature: decoded.temperature,
      });
      allTokens.push(...part.tokens);
    }
    // A loop was cut: its window is done (re-decoding the tail would likely loop again).
    seek += decoded.looped ? windowFrames : seekFrames;
    if (!params.conditionOnPreviousText || decoded.temperature > params.promptResetTemperature) {
      promptResetSince = allTokens.length;
    }
    report((100 * seek) / contentFrames);
  }
  report(100);
  // A language "detected" from windows that all turned out silent is noise (e.g. 'nn' on pink noise).
  const reported = fixedLanguage ?? (segments.length > 0 ? language : null) ?? UNDETERMINED_LANGUAGE;
  return { language: reported, segments, stats };

  /** One decoding pass of an encoded window at one temperature. */
  async function decodeWindow(
    m: LoadedWhisperModel,
    encoded: ort.Tensor,
    prompt: number[],
    sot: number[],
    temperature: number,
    random: () => number,
  ): Promise<WindowDecode> {
    const pass: DecoderPass = m.inference.startDecoding(encoded);
    const maxPrompt = textContext / 2 - 1;
    const initial = prompt.length > 0 ? [special.sotPrev, ...prompt.slice(-maxPrompt), ...sot] : [...sot];
    const sotIndex = initial.lastIndexOf(special.sot);
    const sampleLen = textContext / 2;

    const feed = (tokens: number[]) =>
      timed(() => pass.feed(tokens), (ms) => {
        stats.decoderMs += ms;
        stats.decoderSteps++;
      });
    const first = await feed(initial);
    const noSpeechProb = tokenProbability(pass.row(first, sotIndex), special.noSpeech);
    let logits = pass.row(first, initial.length - 1);
    const sampled: number[] = [];
    const textPositions: number[] = []; // index in `sampled` of each text token
    const textTokens: number[] = [];
    let sumLogprob = 0;
    let loopExtra = 0;
    for (let i = 0; i < sampleLen; i++) {
      throwIfCancelled(signal);
      if (i === 0) suppress(logits, beginSuppress);
      suppress(logits, suppressTokens);
      applyTimestampRules(logits, sampled, special, maxInitialTimestampIndex);
      const token = temperature === 0 ? argmax(logits) : sampleToken(logits, temperature, random);
      sumLogprob += tokenLogprob(logits, token);
      if (token === special.eot) break;
      sampled.push(token);
      if (token < special.eot) {
        textPositions.push(sampled.length - 1);
        textTokens.push(token);
        const loop = findRepetitionLoop(textTokens, params.repetition);
        if (loop) {
          loopExtra = loop.extra;
          break;
        }
      }
      if (initial.length + sampled.length >= textContext) break;
      logits = await feed([token]);
    }
    const ratio = compressionRatio(tokenizer.decode(sampled));
    const avgLogprob = sumLogprob / (sampled.length + 1);
    if (loopExtra > 0) sampled.length = textPositions[textTokens.length - loopExtra];
    return { tokens: sampled, avgLogprob, noSpeechProb, compressionRatio: ratio, temperature, looped: loopExtra > 0 };
  }
}

/** 'auto': one decoder step from <|startoftranscript|>, the most likely language token wins. */
export async function detectLanguage(model: LoadedWhisperModel, encoded: ort.Tensor): Promise<string> {
  const pass = model.inference.startDecoding(encoded);
  const logits = await pass.feed([model.tokenizer.special.sot]);
  let best = '';
  let bestLogit = -Infinity;
  for (const [code, id] of model.tokenizer.languageTokens) {
    if (logits[id] > bestLogit) {
      bestLogit = logits[id];
      best = code;
    }
  }
  return best || 'en';
}

/**
 * generation_config.suppress_tokens (the non-speech symbols) plus every special token between
 * <|endoftext|> and the timestamps (sot, languages, tasks, sot_prev, nospeech, notimestamps):
 * the decoder may only produce text, timestamps and eot.
 */
function suppressedTokenIds(model: LoadedWhisperModel): number[] {
  const { eot, timestampBegin } = model.tokenizer.special;
  const ids = new Set(model.generation.suppress_tokens ?? []);
  for (let id = eot + 1; id < timestampBegin; id++) ids.add(id);
  return [...ids];
}

function resolveParams(options: DecodeOptions): LongFormParams {
  const p = { ...DEFAULT_LONG_FORM_PARAMS };
  if (options.temperatures?.length) p.temperatures = options.temperatures;
  if (options.compressionRatioThreshold !== undefined) p.compressionRatioThreshold = options.compressionRatioThreshold;
  if (options.logprobThreshold !== undefined) p.logprobThreshold = options.logprobThreshold;
  if (options.noSpeechThreshold !== undefined) p.noSpeechThreshold = options.noSpeechThreshold;
  if (options.conditionOnPreviousText !== undefined) p.conditionOnPreviousText = options.conditionOnPreviousText;
  if (options.seed !== undefined) p.seed = options.seed;
  return p;
}

/** Progress that only moves forward and reports whole percents once. */
function progressReporter(onProgress?: (percent: number) => void): (percent: number) => void {
  let last = -1;
  return (percent) => {
    const p = Math.max(0, Math.min(100, Math.floor(percent)));
    if (p > last) {
      last = p;
      onProgress?.(p);
    }
  };
}

function peakAmplitude(samples: Float32Array, from: number, to: number): number {
  let peak = 0;
  for (let i = Math.max(0, from); i < Math.min(samples.length, to); i++) {
    const a = Math.abs(samples[i]);
    if (a > peak) peak = a;
  }
  return peak;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
