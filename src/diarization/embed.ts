// Speaker embeddings with the ONNX speaker model (onnxruntime-node, CPU): one L2-normalised vector per
// analysis window (windows.ts). The mel spectrogram is computed once per speech region and cut into windows;
// each window gets its own volume normalisation (the model was trained on normalised utterances; the mel is a
// power spectrum, so a gain g scales the window's mel by g²). Windows of equal length run as one batch.
import { asSource, type SampleSource } from '../audio/source';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { throwIfCancelled, TranscrevError } from '../errors';
import { readFrontend, volumeGain, type SpeakerFrontend } from './frontend';
import { melSpectrogram } from './melspec';
import { l2normalize } from './vectors';
import type { WindowPlan } from './windows';

/** Windows per ONNX run. */
export const EMBED_BATCH = 32;

export interface SpeakerModel {
  readonly dir: string;
  readonly frontend: SpeakerFrontend;
  readonly session: ort.InferenceSession;
  /** Window length the model expects, seconds (partial_frames × hop). */
  readonly windowSeconds: number;
  /** The embedding space: the model file's sha256 (first 16 hex digits), so voices of two models are never compared. */
  readonly space: string;
  dispose(): Promise<void>;
}

export async function loadSpeakerModel(dir: string, options: { threads: number }): Promise<SpeakerModel> {
  const frontend = readFrontend(dir);
  const file = path.join(dir, frontend.modelFile);
  if (!fs.existsSync(file)) throw new TranscrevError('model', `Speaker model not found: ${file}`);
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: Math.max(1, options.threads),
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionProviders: ['cpu'],
  };
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(file, sessionOptions);
  } catch (err) {
    throw new TranscrevError('model', `Could not load the speaker model ${file}: ${(err as Error).message}`, { cause: err });
  }
  return {
    dir,
    frontend,
    session,
    windowSeconds: (frontend.partialFrames * frontend.mel.hop) / frontend.sampleRate,
    space: createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 16),
    dispose: () => session.release(),
  };
}

export interface EmbedOptions {
  signal?: AbortSignal;
  /** 0–100 over the windows. */
  onProgress?: (percent: number) => void;
}

/** One L2-normalised embedding per window, in the order given. */
export async function embedWindows(
  model: SpeakerModel,
  input: Float32Array | SampleSource,
  windows: WindowPlan[],
  options: EmbedOptions = {},
): Promise<Float32Array[]> {
  const samples = asSource(input);
  const fe = model.frontend;
  const hop = fe.mel.hop;
  const bins = fe.mel.numMelBins;
  // Mel and samples per region (regions are identified by their bounds): a window's samples are a view into
  // its region's, read once from the journal for the mel.
  const regionMel = new Map<string, { start: number; samples: Float32Array; data: Float32Array; frames: number }>();
  const inputs: { frames: number; data: Float32Array }[] = [];
  for (const w of windows) {
    throwIfCancelled(options.signal);
    // Widened windows reach outside their region: analyse the window's own span then.
    const spanStart = Math.min(w.regionStart, w.start);
    const spanEnd = Math.max(w.regionEnd, w.end);
    const key = `${spanStart}:${spanEnd}`;
    let mel = regionMel.get(key);
    if (!mel) {
      // Windows come in time order: a region's mel is done with once the next region starts.
      regionMel.clear();
      const spanSamples = samples.read(spanStart, spanEnd);
      const m = melSpectrogram(spanSamples, fe.mel, fe.filterbank);
      mel = { start: spanStart, samples: spanSamples, data: m.data, frames: m.frames };
      regionMel.set(key, mel);
      // An hour of speech is ~20 s of mel work: yield between regions so heartbeats and cancels get through.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const f0 = Math.round((w.start - mel.start) / hop);
    const n = Math.max(1, Math.min(Math.round((w.end - w.start) / hop), mel.frames - f0));
    // The same samples samples.read(w.start, w.end) gives (reads clamp at 0 and round outwards), from the span.
    const origin = Math.max(0, Math.floor(mel.start));
    const g = volumeGain(mel.samples.subarray(Math.max(0, Math.floor(w.start)) - origin, Math.ceil(w.end) - origin), fe);
    const data = mel.data.slice(f0 * bins, (f0 + n) * bins);
    if (g !== 1) {
      const g2 = g * g;
      for (let i = 0; i < data.length; i++) data[i] *= g2;
    }
    inputs.push({ frames: n, data });
  }
  regionMel.clear();
  const out: Float32Array[] = new Array(windows.length);
  // Group by frame count so each batch is a dense tensor.
  const groups = new Map<number, number[]>();
  inputs.forEach((x, i) => groups.set(x.frames, [...(groups.get(x.frames) ?? []), i]));
  let done = 0;
  for (const [frames, idx] of groups) {
    for (let b = 0; b < idx.length; b += EMBED_BATCH) {
      throwIfCancelled(options.signal);
      const part = idx.slice(b, b + EMBED_BATCH);
      const tensor = new Float32Array(part.length * frames * bins);
      part.forEach((i, k) => tensor.set(inputs[i].data, k * frames * bins));
      const feeds = { [fe.inputName]: new ort.Tensor('float32', tensor, [part.length, frames, bins]) };
      const result = await model.session.run(feeds);
      const emb = result[fe.outputName];
      const dim = emb.dims[emb.dims.length - 1];
      const values = emb.data as Float32Array;
      part.forEach((i, k) => (out[i] = l2normalize(values.slice(k * dim, (k + 1) * dim))));
      emb.dispose?.();
      done += part.length;
      options.onProgress?.((100 * done) / windows.length);
    }
  }
  return out;
}
