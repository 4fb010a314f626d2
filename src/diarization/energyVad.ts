// A simple energy VAD, used when no Silero VAD is available (tests, benches, or a missing VAD model):
// 30 ms frames, log energy; a frame is speech when its energy is above (noise floor + ENERGY_MARGIN_DB),
// noise floor = the NOISE_PERCENTILE-th percentile of frame energies, but never below (max − DYNAMIC_RANGE_DB).
// Then: speech runs shorter than MIN_SPEECH are dropped, silences shorter than MIN_SILENCE are filled,
// and each region is padded by PAD seconds.
import { asSource, BLOCK_SAMPLES, type SampleSource } from '../audio/source';
import { SAMPLE_RATE, type SpeechRegion } from '../vocabulary';

export const ENERGY_FRAME_SECONDS = 0.03;
export const ENERGY_MARGIN_DB = 12;
export const NOISE_PERCENTILE = 0.1;
export const DYNAMIC_RANGE_DB = 45;
export const MIN_SPEECH_SECONDS = 0.25;
export const MIN_SILENCE_SECONDS = 0.3;
export const PAD_SECONDS = 0.05;

export interface EnergyVadOptions {
  sampleRate?: number;
  marginDb?: number;
  minSpeech?: number;
  minSilence?: number;
  pad?: number;
}

export function energyVad(input: Float32Array | SampleSource, options: EnergyVadOptions = {}): SpeechRegion[] {
  const samples = asSource(input);
  const sr = options.sampleRate ?? SAMPLE_RATE;
  const frame = Math.round(ENERGY_FRAME_SECONDS * sr);
  const n = Math.floor(samples.length / frame);
  if (n === 0) return [];
  const db = new Float64Array(n);
  // Frame energies a block of frames at a time (the audio may be a journal on disk).
  const framesPerBlock = Math.max(1, Math.floor(BLOCK_SAMPLES / frame));
  for (let b = 0; b < n; b += framesPerBlock) {
    const last = Math.min(n, b + framesPerBlock);
    const block = samples.read(b * frame, last * frame);
    for (let f = b; f < last; f++) {
      let e = 0;
      for (let i = (f - b) * frame; i < (f - b + 1) * frame; i++) e += block[i] * block[i];
      db[f] = 10 * Math.log10(e / frame + 1e-12);
    }
  }
  const sorted = Array.from(db).sort((a, b) => a - b);
  const max = sorted[n - 1];
  const floor = Math.max(sorted[Math.floor(NOISE_PERCENTILE * (n - 1))], max - DYNAMIC_RANGE_DB);
  const threshold = floor + (options.marginDb ?? ENERGY_MARGIN_DB);
  const speech = Array.from(db, (v) => v > threshold);
  const runs: [number, number][] = [];
  for (let f = 0; f < n; f++) {
    if (!speech[f]) continue;
    const last = runs[runs.length - 1];
    if (last && last[1] === f) last[1] = f + 1;
    else runs.push([f, f + 1]);
  }
  const minSil = Math.round((options.minSilence ?? MIN_SILENCE_SECONDS) / ENERGY_FRAME_SECONDS);
  const minSp = Math.round((options.minSpeech ?? MIN_SPEECH_SECONDS) / ENERGY_FRAME_SECONDS);
  const filled: [number, number][] = [];
  for (const r of runs) {
    const last = filled[filled.length - 1];
    if (last && r[0] - last[1] < minSil) last[1] = r[1];
    else filled.push([...r]);
  }
  const pad = Math.round((options.pad ?? PAD_SECONDS) * sr);
  const out: SpeechRegion[] = [];
  for (const [a, b] of filled) {
    if (b - a < minSp) continue;
    const start = Math.max(0, a * frame - pad);
    const end = Math.min(samples.length, b * frame + pad);
    const last = out[out.length - 1];
    if (last && start <= last.end) last.end = end;
    else out.push({ start, end });
  }
  return out;
}
