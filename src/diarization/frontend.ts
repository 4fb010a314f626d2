// The speaker model's front-end contract, read from the model folder's frontend.json (written by
// tools/models/speaker.py). Supported: the Resemblyzer GE2E contract — volume normalisation to a target dBFS
// (increase only), librosa power mel (no log, no CMN), ONNX input [batch, frames, bins] → [batch, dim].
// The mel filterbank stored in the JSON is used as is when present (bit-exact with the reference); otherwise
// it is computed from the documented parameters.
import * as fs from 'fs';
import * as path from 'path';
import { TranscrevError } from '../errors';
import { RESEMBLYZER_MELSPEC, type MelSpecConfig } from './melspec';
import { SAMPLE_RATE } from '../vocabulary';

export interface SpeakerFrontend {
  sampleRate: number;
  mel: MelSpecConfig;
  /** Explicit filterbank rows (bins × (nFft/2+1)), if the JSON carries one. */
  filterbank?: Float64Array[];
  /** Volume normalisation target (dBFS), increase only; undefined = none. */
  targetDbfs?: number;
  increaseOnly: boolean;
  inputName: string;
  outputName: string;
  embeddingDim: number;
  /** Frames per analysis window the model was trained on (160 = 1.6 s). */
  partialFrames: number;
  modelFile: string;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' ? (v as Json) : {});
const num = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);

export function parseFrontend(json: unknown): SpeakerFrontend {
  const j = obj(json);
  const f = obj(j.features);
  const pre = obj(j.preprocessing);
  const vol = obj(pre.volume_normalisation);
  const onnx = obj(j.onnx);
  const input = obj(onnx.input);
  const output = obj(onnx.output);
  const agg = obj(j.aggregation);
  const type = String(f.type ?? '');
  if (type && !/power mel/i.test(type)) {
    throw new TranscrevError('model', `Unsupported speaker front-end "${type}" in frontend.json (expected a power mel spectrogram).`);
  }
  const sampleRate = num(j.sample_rate, SAMPLE_RATE);
  const nFft = num(f.n_fft, RESEMBLYZER_MELSPEC.nFft);
  const mel: MelSpecConfig = {
    ...RESEMBLYZER_MELSPEC,
    sampleRate,
    nFft,
    hop: num(f.hop_length, Math.round((num(f.frame_shift_ms, 10) * sampleRate) / 1000)),
    winLength: num(f.win_length, nFft),
    numMelBins: num(f.num_mel_bins, RESEMBLYZER_MELSPEC.numMelBins),
    fmin: num(f.fmin_hz, 0),
    fmax: num(f.fmax_hz, sampleRate / 2),
    center: f.center !== false,
    melScale: /htk/i.test(String(f.mel_scale ?? '')) ? 'htk' : 'slaney',
    slaneyNorm: !/none/i.test(String(f.mel_norm ?? 'slaney')),
    log: f.log == null ? 'none' : /10/.test(String(f.log)) ? 'log10' : 'log',
    logFloor: num(f.log_floor, 1e-10),
  };
  let filterbank: Float64Array[] | undefined;
  if (Array.isArray(f.mel_filterbank)) filterbank = (f.mel_filterbank as number[][]).map((r) => Float64Array.from(r));
  const shape = Array.isArray(output.shape) ? (output.shape as unknown[]) : [];
  return {
    sampleRate,
    mel,
    filterbank,
    targetDbfs: typeof vol.target_dbfs === 'number' ? vol.target_dbfs : undefined,
    increaseOnly: vol.increase_only !== false,
    inputName: String(input.name ?? 'mels'),
    outputName: String(output.name ?? 'embedding'),
    embeddingDim: num(shape[shape.length - 1], 256),
    partialFrames: num(agg.partial_frames, 160),
    modelFile: String(j.model ?? 'model.onnx'),
  };
}

export function readFrontend(dir: string): SpeakerFrontend {
  const file = path.join(dir, 'frontend.json');
  if (!fs.existsSync(file)) throw new TranscrevError('model', `Speaker model front-end not found: ${file}`);
  return parseFrontend(JSON.parse(fs.readFileSync(file, 'utf8')));
}

export const INT16_MAX = 32767;

/** Gain that brings `x` to the target dBFS (Resemblyzer normalize_volume); 1 when not applicable. */
export function volumeGain(x: Float32Array, fe: SpeakerFrontend): number {
  if (fe.targetDbfs === undefined || !x.length) return 1;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] * INT16_MAX) ** 2;
  const rms = Math.sqrt(s / x.length);
  if (rms <= 0) return 1;
  const change = fe.targetDbfs - 20 * Math.log10(rms / INT16_MAX);
  if (change < 0 && fe.increaseOnly) return 1;
  return Math.pow(10, change / 20);
}
