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
import type { Segment, Word } from '../transcript';
import type { DecodeOptions, DecodeResult, RunGate } from './api';
import { SAMPLE_RATE, type DecodeStats } from '../vocabulary';
import { asSource, type SampleSource } from '../audio/source';
import { throwIfCancelled } from '../errors';
import { seededRandom } from '../random';
import { collectGarbage } from './collectGarbage';
import { compressionRatio } from './compression';
import { applyTimestampRules, suppress, TIME_PRECISION, tokenProbability } from './logits';
import { HOP_LENGTH, N_FRAMES, WindowedLogMel } from './mel';
import type { LoadedWhisperModel } from './model';
import { DEFAULT_REPETITION_RULE, findRepetitionLoop, type RepetitionRule } from './repetition';
import { promptRoom, windowPrompt } from './prompt';
import { splitWindow, type TokenSegment } from './segments';
import { beamSearch, greedySearch, type Hypothesis, sampleBestOf, type SearchContext } from './search';
import { joinSpeech, speechChunks } from './speechMap';
import type { DecoderPass } from './inference';
import { windowWords } from './windowWords';
import { fitToSegment, type TimedWord } from './wordTimings';
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
  /** Hypotheses kept by the beam search at T = 0; 1 = greedy. */
  beamSize: number;
  /** A beam search ends once round(beamSize × patience) hypotheses are finished. */
  patience: number;
  /** Samples drawn at T > 0, the most likely kept (faster-whisper's best_of). */
  bestOf: number;
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
  beamSize: 1,
  patience: 1,
  bestOf: 5,
};

/**
 * Room for the vocabulary in a window's prompt: half of the prompt's 223 tokens, so the previous text (which keeps
 * style and spelling from window to window) keeps the other half. 20 to 35 names (a common two-word name takes 3–4 tokens with its comma, a rare one 5–6).
 */
export const MAX_VOCABULARY_TOKENS = Math.floor(promptRoom(448) / 2);

/** Language reported when 'auto' had no speech to detect from (ISO 639-2 "undetermined"). */
export const UNDETERMINED_LANGUAGE = 'und';

interface WindowDecode {
  /** Sampled tokens after the sot sequence, eot excluded. */
  tokens: number[];
  /** Each token's log-probability. */
  tokenLogprobs: number[];
  /** The pass's cross-attention cache (the same for every attempt on the window), until the window keeps one. */
  crossCache?: Record<string, ort.Tensor>;
  avgLogprob: number;
  noSpeechProb: number;
  compressionRatio: number;
  temperature: number;
  /** The decode fell into a token loop and was cut (the extra copies removed). */
  looped: boolean;
}

export async function transcribe(model: LoadedWhisperModel, input: Float32Array | SampleSource, options: DecodeOptions): Promise<DecodeResult> {
  const params = resolveParams(options);
  const { tokenizer } = model;
  const special = tokenizer.special;
  const task = options.task ?? 'transcribe';
  const signal = options.signal;
  const gate: RunGate = options.runGate ?? ((run) => run());
  const report = progressReporter(options.onProgress);
  const fixedLanguage = !model.isMultilingual ? 'en' : options.language === 'auto' ? null : tokenizer.normalizeLanguage(options.language);
  if (fixedLanguage && model.isMultilingual) tokenizer.languageToken(fixedLanguage); // unknown code → usage error now
  report(0);
  const stats: DecodeStats = {
    decodedSeconds: 0,
    melMs: 0,
    encoderRuns: 0,
    encoderMs: 0,
    decoderSteps: 0,
    decoderMs: 0,
    fallbacks: 0,
    silentWindows: 0,
    windows: 0,
    digitalSilenceSeconds: 0,
    noSpeechSeconds: 0,
    loopsCut: 0,
    textSeconds: 0,
  };
  const timed = async <T>(work: () => Promise<T>, add: (ms: number) => void): Promise<T> => {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      add(performance.now() - t0);
    }
  };

  // VAD: decode only the speech, joined; map times back at the end. Audio is read window by window from `input`
  // (a journal on disk in the engine): an hour is never in memory at once.
  let audio = asSource(input);
  let toOriginal = (start: number, end: number) => ({ start, end });
  if (options.speech) {
    stats.vadRegions = options.speech.length;
    stats.vadSpeechSeconds = options.speech.reduce((n, r) => n + Math.max(0, r.end - r.start), 0) / SAMPLE_RATE;
    if (options.speech.length === 0) {
      report(100);
      return { language: fixedLanguage ?? UNDETERMINED_LANGUAGE, segments: [], stats };
    }
    const map = joinSpeech(audio, speechChunks(options.speech, audio.length));
    audio = map.source;
    toOriginal = map.segmentToOriginal;
  }
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
  const vocabulary = vocabularyTokens(options.vocabulary, stats);
  if (options.wordTimestamps && model.alignmentHeads.length === 0) stats.wordTimingsUnavailable = true;
  const allTokens: number[] = [...initialPrompt];
  let promptResetSince = 0;
  let language = fixedLanguage;
  const segments: Segment[] = [];
  const windowBuffer = new Float32Array(model.nMels * N_FRAMES);
  const suppressTokens = suppressedTokenIds(model);
  const beginSuppress = model.generation.begin_suppress_tokens ?? [...tokenizer.encode(' '), special.eot];
  const maxInitialTimestampIndex = Math.round(params.maxInitialTimestamp / TIME_PRECISION);

  /** Where the last segment with words ended (joined-speech seconds): fitToSegment's "after a pause". */
  let lastSpeechEnd = 0;
  let seek = 0;
  while (seek < contentFrames) {
    throwIfCancelled(signal);
    const windowFrames = Math.min(N_FRAMES, contentFrames - seek);
    const timeOffset = (seek * HOP_LENGTH) / SAMPLE_RATE;
    if (peakAmplitude(audio, seek * HOP_LENGTH, (seek + windowFrames) * HOP_LENGTH) < params.silencePeak) {
      stats.silentWindows++;
      stats.digitalSilenceSeconds += (windowFrames * HOP_LENGTH) / SAMPLE_RATE;
      seek += windowFrames;
      report((100 * seek) / contentFrames);
      continue;
    }
    stats.windows++;
    const w0 = performance.now();
    const window = mel.window(seek, windowFrames, windowBuffer);
    stats.melMs += performance.now() - w0;
    // Timed inside the gate: a file job's stats count its own runs, not the time it waited for live phrases.
    const encoded = await gate(() =>
      timed(
        () => model.inference.encode(window),
        (ms) => {
          stats.encoderMs += ms;
          stats.encoderRuns++;
        },
      ),
    );
    throwIfCancelled(signal); // an abort during the encoder run takes effect before decoding starts
    if (language === null) language = await detectLanguage(model, encoded, gate);
    const sot = tokenizer.sotSequence(model.isMultilingual, language, task);
    const prompt = allTokens.slice(promptResetSince);

    // Temperature fallback. When no temperature gives an acceptable window, the most likely of the attempts
    // that are not repetitive is kept (faster-whisper), rather than the last, most random one (openai/whisper).
    const attempts: WindowDecode[] = [];
    let decoded: WindowDecode | undefined;
    let crossCache: Record<string, ort.Tensor> | undefined;
    for (let attempt = 0; attempt < params.temperatures.length; attempt++) {
      const temperature = params.temperatures[attempt];
      const random = seededRandom(params.seed + seek * 31 + attempt);
      if (attempt > 0) stats.fallbacks++;
      const result = await decodeWindow(model, encoded, prompt, sot, temperature, random);
      // Every attempt computes the same cross-attention cache (37 MB for base): the first one's is kept for the word
      // alignment, and no attempt holds on to its own.
      if (options.wordTimestamps) crossCache ??= result.crossCache;
      delete result.crossCache;
      attempts.push(result);
      const tooRepetitive = result.compressionRatio > params.compressionRatioThreshold || result.looped;
      const tooUnlikely = result.avgLogprob < params.logprobThreshold;
      const looksSilent = result.noSpeechProb > params.noSpeechThreshold && tooUnlikely;
      if (looksSilent || !(tooRepetitive || tooUnlikely)) {
        decoded = result;
        break;
      }
    }
    if (!decoded) {
      const notRepetitive = attempts.filter((a) => a.compressionRatio <= params.compressionRatioThreshold && !a.looped);
      decoded = (notRepetitive.length ? notRepetitive : attempts).reduce((a, b) => (b.avgLogprob > a.avgLogprob ? b : a));
    }

    // No speech: skip the whole window without text.
    if (decoded.noSpeechProb > params.noSpeechThreshold && !(decoded.avgLogprob > params.logprobThreshold)) {
      stats.silentWindows++;
      stats.noSpeechSeconds += (windowFrames * HOP_LENGTH) / SAMPLE_RATE;
      seek += windowFrames;
      report((100 * seek) / contentFrames);
      continue;
    }

    const { segments: parts, seekFrames } = splitWindow(decoded.tokens, special.timestampBegin, windowFrames);
    const windowEnd = Math.min(contentSeconds, timeOffset + (windowFrames * HOP_LENGTH) / SAMPLE_RATE);
    // Only the parts that become segments are aligned (a tail left for the next window is decoded again there).
    const kept = parts.map((part) => ({ ...part, text: tokenizer.decode(part.tokens).trim() })).filter((part) => part.text && part.start < part.end);
    const keptTokens = kept.flatMap((part) => part.tokens);
    const aligned = options.wordTimestamps
      ? await timed(
          () => windowWords(model, encoded, crossCache, sot, keptTokens, keptLogprobs(decoded, kept), windowFrames, language ?? 'en', gate),
          (ms) => (stats.alignmentMs = (stats.alignmentMs ?? 0) + ms),
        )
      : undefined;
    let wordIndex = 0;
    for (const part of kept) {
      // Timestamps past the end of the audio (possible in a short last window) are clamped to it.
      const end = Math.min(windowEnd, timeOffset + part.end);
      const start = Math.min(timeOffset + part.start, end);
      stats.textSeconds += end - start;
      const original = toOriginal(start, end);
      let words: Word[] | undefined;
      if (aligned) {
        // The part's words: as many as its text tokens (openai counts the same way).
        const partWords: TimedWord[] = [];
        const textCount = part.tokens.filter((t) => t < special.eot).length;
        for (let count = 0; wordIndex < aligned.words.length && count < textCount; wordIndex++) {
          partWords.push(aligned.words[wordIndex]);
          count += aligned.words[wordIndex].tokens.length;
        }
        const absolute = partWords.map((w) => ({ ...w, start: Math.min(windowEnd, timeOffset + w.start), end: Math.min(windowEnd, timeOffset + w.end) }));
        const fitted = fitToSegment(absolute, { start, end }, lastSpeechEnd, aligned.medianDuration, aligned.maxDuration);
        if (fitted.length) lastSpeechEnd = end;
        words = fitted.map((w) => {
          // A word stays inside its segment, whose times are Whisper's own timestamps (openai and faster-whisper move
          // the segment to its words instead; a word the alignment squeezed against the audio's edge would then
          // drag its phrase there, and a click on the phrase would play silence).
          const wordStart = Math.min(Math.max(w.start, start), end);
          const at = toOriginal(wordStart, Math.min(Math.max(w.end, wordStart), end));
          return { start: round3(at.start), end: round3(at.end), text: w.text, probability: round3(w.probability) };
        });
      }
      segments.push({
        start: round3(original.start),
        end: round3(original.end),
        text: part.text,
        avgLogprob: decoded.avgLogprob,
        noSpeechProb: decoded.noSpeechProb,
        compressionRatio: decoded.compressionRatio,
        temperature: decoded.temperature,
        ...(words ? { words } : {}),
      });
      allTokens.push(...part.tokens);
    }
    if (decoded.looped) stats.loopsCut++;
    collectGarbage();
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

  /** The vocabulary's tokens, cut to MAX_VOCABULARY_TOKENS (a longer one would crowd out the previous text). */
  function vocabularyTokens(text: string | undefined, into: DecodeStats): number[] {
    const words = text?.trim();
    if (!words) return [];
    const tokens = tokenizer.encode(' ' + words);
    into.vocabularyTokensCut = Math.max(0, tokens.length - MAX_VOCABULARY_TOKENS);
    return tokens.slice(0, MAX_VOCABULARY_TOKENS);
  }

  /** One decoding pass of an encoded window at one temperature (greedy, beam search or best-of sampling). */
  async function decodeWindow(
    m: LoadedWhisperModel,
    encoded: ort.Tensor,
    prompt: number[],
    sot: number[],
    temperature: number,
    random: () => number,
  ): Promise<WindowDecode> {
    const pass: DecoderPass = m.inference.startDecoding(encoded);
    const initial = windowPrompt(special.sotPrev, vocabulary, prompt, sot, promptRoom(textContext));
    const sotIndex = initial.lastIndexOf(special.sot);
    const addDecoderStep = (ms: number) => {
      stats.decoderMs += ms;
      stats.decoderSteps++;
    };
    const first = await gate(() => timed(() => pass.feed(initial), addDecoderStep));
    const noSpeechProb = tokenProbability(pass.promptRow(first, sotIndex), special.noSpeech);
    const context: SearchContext = {
      eot: special.eot,
      vocab: m.config.vocab_size,
      maxTokens: Math.min(textContext / 2, textContext - initial.length),
      filter(logits, tokens) {
        if (tokens.length === 0) suppress(logits, beginSuppress);
        suppress(logits, suppressTokens);
        applyTimestampRules(logits, tokens, special, maxInitialTimestampIndex);
      },
      loopKeep(tokens) {
        const last = tokens[tokens.length - 1];
        if (last >= special.eot) return null; // only a text token can complete a loop of text
        const textPositions: number[] = [];
        const text: number[] = [];
        tokens.forEach((t, i) => {
          if (t < special.eot) {
            textPositions.push(i);
            text.push(t);
          }
        });
        const loop = findRepetitionLoop(text, params.repetition);
        return loop ? textPositions[text.length - loop.extra] : null;
      },
      step: (next, sources) => gate(() => timed(() => pass.feedRows(next, sources), addDecoderStep)),
      signal,
    };
    const firstRow = pass.promptRow(first, initial.length - 1);
    let hypothesis: Hypothesis;
    if (temperature > 0) hypothesis = await sampleBestOf(context, firstRow, Math.max(1, params.bestOf), temperature, random);
    else if (params.beamSize > 1) hypothesis = await beamSearch(context, firstRow, params.beamSize, params.patience);
    else hypothesis = await greedySearch(context, firstRow);
    const ratio = compressionRatio(tokenizer.decode(hypothesis.tokens));
    // As openai/whisper: the eot's log-probability counts, hence the + 1.
    const avgLogprob = hypothesis.sumLogprob / (hypothesis.tokens.length + 1);
    return {
      tokens: hypothesis.tokens,
      tokenLogprobs: hypothesis.tokenLogprobs,
      crossCache: pass.crossCache(),
      avgLogprob,
      noSpeechProb,
      compressionRatio: ratio,
      temperature,
      looped: hypothesis.looped,
    };
  }
}

/** 'auto': one decoder step from <|startoftranscript|>, the most likely language token wins. */
export async function detectLanguage(model: LoadedWhisperModel, encoded: ort.Tensor, gate: RunGate = (run) => run()): Promise<string> {
  const pass = model.inference.startDecoding(encoded);
  const logits = await gate(() => pass.feed([model.tokenizer.special.sot]));
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
  if (options.beamSize !== undefined) p.beamSize = options.beamSize;
  if (options.bestOf !== undefined) p.bestOf = options.bestOf;
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

function peakAmplitude(source: SampleSource, from: number, to: number): number {
  const samples = source.read(from, to);
  let peak = 0;
  for (let i = 0; i < samples.length; i++) {
    const a = Math.abs(samples[i]);
    if (a > peak) peak = a;
  }
  return peak;
}

/** The log-probabilities of the kept parts' tokens. */
function keptLogprobs(decoded: WindowDecode, kept: readonly TokenSegment[]): number[] {
  return kept.flatMap((part) => decoded.tokenLogprobs.slice(part.from, part.from + part.tokens.length));
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
