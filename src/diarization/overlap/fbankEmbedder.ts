// A speaker embedder fed Kaldi filterbanks (CAM++ from 3D-Speaker, exported by tools/models/campplus.py): frames of
// log-mel energies in, one vector per utterance out. frontend.json beside the graph says how the features are made
// (src/diarization/fbank.ts computes them the way torchaudio.compliance.kaldi.fbank does). The mean of each bin over
// the utterance's own frames is subtracted before the model sees them, as in the model's training.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { openSession } from './openSession';
import { TranscrevError } from '../../errors';
import { applyCmn, KALDI_FBANK_DEFAULTS, type FbankConfig } from '../fbank';
import { l2normalize } from '../vectors';

export interface FbankEmbedder {
  readonly dir: string;
  readonly session: ort.InferenceSession;
  /** Features as the model was trained on them, without the mean removal (done per utterance: embed()). */
  readonly features: FbankConfig;
  readonly dim: number;
  readonly inputName: string;
  readonly outputName: string;
  /** The embedding space: the model file's sha256 (first 16 hex digits), so voices of two models are never compared. */
  readonly space: string;
  dispose(): Promise<void>;
}

type Json = Record<string, unknown>;
const num = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);

/** frontend.json's "features" (snake case) → our Kaldi fbank settings. */
export function parseFbankFeatures(f: Json): FbankConfig {
  if (!/kaldi fbank/i.test(String(f.type ?? ''))) {
    throw new TranscrevError('model', `Unsupported speaker embedder features "${String(f.type)}" (expected "kaldi fbank").`);
  }
  if (num(f.dither, 0) !== 0) throw new TranscrevError('model', 'The speaker embedder asks for dithered features; only dither 0 is supported.');
  const d = KALDI_FBANK_DEFAULTS;
  const window = String(f.window ?? d.window);
  if (!['povey', 'hamming', 'hanning', 'rectangular'].includes(window)) throw new TranscrevError('model', `Unsupported fbank window "${window}".`);
  return {
    sampleRate: num(f.sample_rate, d.sampleRate),
    numMelBins: num(f.num_mel_bins, d.numMelBins),
    frameLengthMs: num(f.frame_length_ms, d.frameLengthMs),
    frameShiftMs: num(f.frame_shift_ms, d.frameShiftMs),
    window: window as FbankConfig['window'],
    preemphasis: num(f.preemphasis, d.preemphasis),
    removeDcOffset: f.remove_dc_offset !== false,
    dither: 0,
    lowFreq: num(f.low_freq, d.lowFreq),
    highFreq: num(f.high_freq, d.highFreq),
    inputScale: num(f.input_scale, d.inputScale),
    logFloor: num(f.log_floor, d.logFloor),
    // The mean removal is over the frames of one speaker's utterance, chosen later: never over the whole chunk.
    cmn: false,
    snipEdges: f.snip_edges !== false,
    usePower: f.use_power !== false,
  };
}

export async function loadFbankEmbedder(dir: string, options: { threads: number }): Promise<FbankEmbedder> {
  const jsonFile = path.join(dir, 'frontend.json');
  if (!fs.existsSync(jsonFile)) throw new TranscrevError('model', `Speaker embedder not found: ${jsonFile}`);
  const j = JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as Json;
  const features = parseFbankFeatures((j.features ?? {}) as Json);
  const onnx = (j.onnx ?? {}) as Json;
  const file = path.join(dir, String(j.model ?? 'model.onnx'));
  const session = await openSession(file, 'speaker embedder', options.threads);
  return {
    dir,
    session,
    features,
    dim: num(j.embedding_dim, 192),
    inputName: String(((onnx.input ?? {}) as Json).name ?? 'fbank'),
    outputName: String(((onnx.output ?? {}) as Json).name ?? 'embedding'),
    space: createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 16),
    dispose: () => session.release(),
  };
}

/**
 * The L2-normalised embedding of `frames` (frames × bins of log-mel energies, row-major, not mean-normalised): the
 * bins' mean over these frames is removed first. The input is not modified.
 */
export async function embedFbank(model: FbankEmbedder, frames: Float32Array, count: number): Promise<Float32Array> {
  const bins = model.features.numMelBins;
  const x = applyCmn({ frames: count, bins, data: new Float32Array(frames.subarray(0, count * bins)) }).data;
  const out = await model.session.run({ [model.inputName]: new ort.Tensor('float32', x, [1, count, bins]) });
  const e = out[model.outputName];
  const v = l2normalize(Float32Array.from(e.data as Float32Array));
  e.dispose?.();
  return v;
}
