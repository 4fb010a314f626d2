// The languages Whisper knows, as its tokenizer spells them (<|pt|>), in the tokenizer's order: checked before
// anything is loaded, so a mistyped --language fails in milliseconds instead of after the model has loaded
// (6 s and 544 MB for medium). "yue" exists in large-v3 and its turbo only; the model's tokenizer has the last word.
import * as fs from 'fs';
import * as path from 'path';
import { TranscrevError } from '../errors';

/** Vocabulary size of multilingual checkpoints (English-only ones have 51864). */
export const MULTILINGUAL_VOCAB = 51865;

// prettier-ignore
export const WHISPER_LANGUAGES = [
  'en', 'zh', 'de', 'es', 'ru', 'ko', 'fr', 'ja', 'pt', 'tr', 'pl', 'ca', 'nl', 'ar', 'sv', 'it', 'id', 'hi', 'fi', 'vi',
  'he', 'uk', 'el', 'ms', 'cs', 'ro', 'da', 'hu', 'ta', 'no', 'th', 'ur', 'hr', 'bg', 'lt', 'la', 'mi', 'ml', 'cy', 'sk',
  'te', 'fa', 'lv', 'bn', 'sr', 'az', 'sl', 'kn', 'et', 'mk', 'br', 'eu', 'is', 'hy', 'ne', 'mn', 'bs', 'kk', 'sq', 'sw',
  'gl', 'mr', 'pa', 'si', 'km', 'sn', 'yo', 'so', 'af', 'oc', 'ka', 'be', 'tg', 'sd', 'gu', 'am', 'yi', 'lo', 'uz', 'fo',
  'ht', 'ps', 'tk', 'nn', 'mt', 'sa', 'lb', 'my', 'bo', 'tl', 'mg', 'as', 'tt', 'haw', 'ln', 'ha', 'ba', 'jw', 'su', 'yue',
] as const;

/** Throws a usage error unless `language` is 'auto' or a Whisper language code (any case). */
export function checkLanguage(language: string): void {
  const code = language.trim().toLowerCase();
  if (code === 'auto' || (WHISPER_LANGUAGES as readonly string[]).includes(code)) return;
  throw new TranscrevError('usage', `Unknown language "${language}": use auto or a Whisper language code (${WHISPER_LANGUAGES.join(', ')}).`);
}

/**
 * An English-only model (tiny.en, base.en, …) transcribes English whatever it is told: asked for another
 * language it would answer with English words for Portuguese speech, so that is refused before the job.
 */
export function checkLanguageForModel(language: string, multilingual: boolean, modelName: string): void {
  const code = language.trim().toLowerCase();
  if (multilingual || code === 'auto' || code === 'en') return;
  throw new TranscrevError(
    'usage',
    `The model ${modelName} is English-only: it cannot transcribe language "${language}". Use a multilingual model (tiny, base, small, large-v3-turbo) or --language en.`,
  );
}

/** checkLanguageForModel for the model in `dir`, read from its small JSON files (no weights loaded). */
export function checkLanguageForModelDir(language: string, dir: string): void {
  const multilingual = modelDirIsMultilingual(dir);
  if (multilingual !== undefined) checkLanguageForModel(language, multilingual, path.basename(dir));
}

/**
 * Whether the model in `dir` is multilingual, from its small JSON files (no weights loaded); undefined when they
 * cannot be read, which loading the model then reports as a model error.
 */
function modelDirIsMultilingual(dir: string): boolean | undefined {
  const read = (name: string): Record<string, unknown> | undefined => {
    try {
      return JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  };
  const generation = read('generation_config.json');
  if (typeof generation?.is_multilingual === 'boolean') return generation.is_multilingual;
  const vocab = read('config.json')?.vocab_size;
  return typeof vocab === 'number' ? vocab >= MULTILINGUAL_VOCAB : undefined;
}
