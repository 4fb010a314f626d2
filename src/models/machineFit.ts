// Which Whisper model to recommend on this machine (issue #27): for the chosen language, the most accurate model
// whose measured memory fits what the machine has free, with the time it takes per hour of audio.
//
// The figures are measurements, not estimates (docs/benchmarks.md, "Which model fits"): the 330 s AMI meeting through
// the CLI, whole process tree sampled every 50 ms, `--threads 2` on 2 cores of an Intel Xeon (Sapphire Rapids class),
// all on 2026-12-07 (the larger of two runs where two were taken; medium q4 the largest of five, after the decoder's
// replaced self-attention caches were freed per step, src/whisper/releaseNow.ts). tiny.en and base with their real
// weights; small, medium and large-v3-turbo with exact-shape stand-ins (random weights: the same graphs and bytes;
// their windows end within 63 tokens, so real speech decodes longer and these times are a floor).
// A model or precision with no row here is never recommended (nothing is guessed).
import * as fs from 'fs';
import * as os from 'os';
import type { Precision } from '../vocabulary';
import type { CatalogModel } from './catalog';

export interface MeasuredCost {
  /** Whole-tree peak on the meeting, MB. */
  peakMB: number;
  /** Wall time / audio time on the meeting. */
  rtf: number;
  /** Measured with a stand-in (random weights in the published shape), not the model's own weights. */
  standIn: boolean;
}

/** Where the figures come from, for the user. */
const MEASURED_ON = '2 cores of an Intel Xeon';

export const MEASURED: Readonly<Record<string, Partial<Record<Precision, MeasuredCost>>>> = {
  'tiny.en': { int8: { peakMB: 361, rtf: 0.028, standIn: false }, q4: { peakMB: 348, rtf: 0.03, standIn: false } },
  base: {
    int8: { peakMB: 437, rtf: 0.049, standIn: false },
    q4: { peakMB: 416, rtf: 0.045, standIn: false },
    fp32: { peakMB: 812, rtf: 0.055, standIn: false },
  },
  small: { int8: { peakMB: 1010, rtf: 0.102, standIn: true }, q4: { peakMB: 938, rtf: 0.101, standIn: true } },
  medium: { int8: { peakMB: 1934, rtf: 0.242, standIn: true }, q4: { peakMB: 1624, rtf: 0.207, standIn: true } },
  'large-v3-turbo': { int8: { peakMB: 1331, rtf: 0.573, standIn: true }, q4: { peakMB: 1032, rtf: 0.419, standIn: true } },
};

/**
 * Whisper's sizes from the least to the most accurate: the paper's word error rates fall with size in every language
 * group it reports, and large-v3-turbo is large-v3 with 4 decoder layers (openai/whisper's README: "minimal degradation"
 * against large-v3), above medium. An English-only model ranks just above its multilingual twin, for English only.
 */
const ACCURACY_ORDER = ['tiny', 'tiny.en', 'base', 'base.en', 'small', 'small.en', 'medium', 'medium.en', 'large-v3-turbo'];

/**
 * Can a recommended `model` transcribe `language`? 'auto' needs a multilingual one. (ensureModel accepts a configured
 * English-only model with 'auto': there the user chose it; here nothing says the speech is English.)
 */
function speaksLanguage(model: Pick<CatalogModel, 'multilingual'>, language: string): boolean {
  return model.multilingual !== false || language.toLowerCase() === 'en';
}

export interface Recommendation {
  model: CatalogModel;
  cost: MeasuredCost;
}

/**
 * The most accurate catalogue model for `language` whose measured peak at `precision` fits `freeMB`; undefined when
 * none does (or none is measured).
 */
export function recommendModel(models: readonly CatalogModel[], language: string, precision: Precision, freeMB: number): Recommendation | undefined {
  let best: Recommendation | undefined;
  for (const model of models) {
    const cost = MEASURED[model.name]?.[precision];
    if (!cost || cost.peakMB > freeMB || !speaksLanguage(model, language)) continue;
    if (!best || rank(model.name) > rank(best.model.name)) best = { model, cost };
  }
  return best;
}

const rank = (name: string): number => ACCURACY_ORDER.indexOf(name);

/** "≈ 1.7 GB, about 14 min per hour of audio" for a measured model (a stand-in's time says "at least"). */
export function costLabel(cost: MeasuredCost): string {
  const minutes = Math.max(1, Math.round(cost.rtf * 60));
  const memory = cost.peakMB >= 1000 ? `${(cost.peakMB / 1000).toFixed(1)} GB` : `${cost.peakMB} MB`;
  return `needs ≈ ${memory}, ${cost.standIn ? 'at least ' : ''}${minutes} min per hour of audio on ${MEASURED_ON}`;
}

/**
 * Memory the machine can give a transcription now, MB: Linux's MemAvailable (free memory plus the page cache it can
 * drop; os.freemem() counts only the unused pages and would rule out every large model on a machine that has read
 * files), else os.freemem() (Windows and macOS report what can be had).
 */
export function availableMemoryMB(meminfo: string | undefined = readMeminfo()): number {
  const match = meminfo?.match(/^MemAvailable:\s+(\d+)\s+kB/m);
  return match ? Math.round(Number(match[1]) / 1024) : Math.round(os.freemem() / 2 ** 20);
}

function readMeminfo(): string | undefined {
  try {
    return fs.readFileSync('/proc/meminfo', 'utf8');
  } catch {
    return undefined;
  }
}
