// The speaker segmentation model (pyannote/segmentation-3.0, exported by tools/models/segmentation.py): 10 s of
// audio in, for each ~17 ms frame a log-probability over "powerset" classes — which of up to 3 local speakers talk,
// at most 2 at once. segmentation.json beside the graph says the chunk length, the frame geometry and which
// speakers each class stands for.
import * as fs from 'fs';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { openSession } from './openSession';
import { type SampleSource } from '../../audio/source';
import { throwIfCancelled, TranscrevError } from '../../errors';
import type { ChunkPlan, FrameGeometry } from './chunks';

export interface SegmentationModel {
  readonly dir: string;
  readonly session: ort.InferenceSession;
  readonly sampleRate: number;
  readonly chunkSamples: number;
  readonly framesPerChunk: number;
  readonly frame: FrameGeometry;
  /** For each class, the local speakers it says are talking. */
  readonly powerset: number[][];
  /** Local speakers per chunk (3). */
  readonly localSpeakers: number;
  readonly inputName: string;
  readonly outputName: string;
  dispose(): Promise<void>;
}

type Json = Record<string, unknown>;

export async function loadSegmentationModel(dir: string, options: { threads: number }): Promise<SegmentationModel> {
  const jsonFile = path.join(dir, 'segmentation.json');
  if (!fs.existsSync(jsonFile)) throw new TranscrevError('model', `Speaker segmentation model not found: ${jsonFile}`);
  const j = JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as Json;
  const frame = j.frame as FrameGeometry | undefined;
  const powerset = j.powerset as number[][] | undefined;
  const sampleRate = Number(j.sample_rate);
  const framesPerChunk = Number(j.frames_per_chunk);
  const chunkSamples = Math.round(Number(j.chunk_seconds) * sampleRate);
  if (!frame || !Array.isArray(powerset) || !powerset.length || !(framesPerChunk > 0) || !(chunkSamples > 0) || sampleRate !== 16000) {
    throw new TranscrevError('model', `Unsupported speaker segmentation model description: ${jsonFile}`);
  }
  const file = path.join(dir, String(j.model ?? 'model.onnx'));
  const session = await openSession(file, 'speaker segmentation model', options.threads);
  return {
    dir,
    session,
    sampleRate,
    chunkSamples,
    framesPerChunk,
    frame,
    powerset,
    localSpeakers: Math.max(...powerset.flat()) + 1,
    inputName: String((j.input as Json | undefined)?.name ?? 'waveform'),
    outputName: String((j.output as Json | undefined)?.name ?? 'scores'),
    dispose: () => session.release(),
  };
}

/**
 * Chunks per ONNX run. One: a chunk's SincNet activations are tens of MB, and a batch of 8 raised the diarization
 * child's peak from 241 to 318 MB (the whole tree on the 330 s meeting 668 → 703 MB) for no measurable speed on 1–2
 * threads.
 */
const SEGMENT_BATCH = 1;

/**
 * Which local speakers talk at each frame of each chunk: chunks × framesPerChunk × localSpeakers, 0 or 1 (the most
 * likely powerset class, as pyannote converts powerset output to speakers).
 */
export async function segmentChunks(
  model: SegmentationModel,
  samples: SampleSource,
  plan: ChunkPlan,
  options: { signal?: AbortSignal; onProgress?: (percent: number) => void } = {},
): Promise<Uint8Array> {
  const { framesPerChunk: F, localSpeakers: K, chunkSamples: W } = model;
  const classes = model.powerset.length;
  const activity = new Uint8Array(plan.starts.length * F * K);
  for (let b = 0; b < plan.starts.length; b += SEGMENT_BATCH) {
    throwIfCancelled(options.signal);
    const batch = plan.starts.slice(b, b + SEGMENT_BATCH);
    const input = new Float32Array(batch.length * W);
    // Past the end of the recording stays 0: the padded last chunk.
    batch.forEach((s, i) => input.set(samples.read(s, s + W), i * W));
    const out = await model.session.run({ [model.inputName]: new ort.Tensor('float32', input, [batch.length, 1, W]) });
    const scores = out[model.outputName];
    const frames = scores.dims[1];
    if (scores.dims[2] !== classes || frames < F)
      throw new TranscrevError('model', `The speaker segmentation model gave ${scores.dims.join('×')} scores, expected ${F}×${classes} per chunk.`);
    const data = scores.data as Float32Array;
    for (let i = 0; i < batch.length; i++) {
      for (let f = 0; f < F; f++) {
        const row = (i * frames + f) * classes;
        let best = 0;
        for (let c = 1; c < classes; c++) if (data[row + c] > data[row + best]) best = c;
        const at = ((b + i) * F + f) * K;
        for (const k of model.powerset[best]) activity[at + k] = 1;
      }
    }
    scores.dispose?.();
    options.onProgress?.((100 * Math.min(plan.starts.length, b + batch.length)) / plan.starts.length);
    // Heartbeats and cancels get through between batches.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return activity;
}
