// One embedding per (chunk, local speaker), from the frames where the segmentation says that speaker talks — alone
// when there is enough of that (pyannote's embedding_exclude_overlap), else all of them. Filterbank frames are mapped
// onto segmentation frames by nearest-neighbour resampling over the chunk, as pyannote resamples its masks.
import type { SampleSource } from '../../audio/source';
import { throwIfCancelled } from '../../errors';
import { numFrames } from '../fbank';
import { ChunkFbank } from './chunkFbank';
import type { Vector } from '../vectors';
import type { ChunkPlan } from './chunks';
import type { LocalSpeakers } from './clusterLocalSpeakers';
import { embedFbank, type FbankEmbedder } from './fbankEmbedder';

/** Fewer filterbank frames than this (0.25 s) tell too little about a voice: no embedding. */
export const MIN_EMBED_FRAMES = 25;

export async function embedLocalSpeakers(
  model: FbankEmbedder,
  samples: SampleSource,
  plan: ChunkPlan,
  activity: Uint8Array,
  localSpeakers: number,
  options: { minAloneFrames: number; signal?: AbortSignal; onProgress?: (percent: number) => void },
): Promise<LocalSpeakers> {
  const K = localSpeakers;
  const F = plan.framesPerChunk;
  const chunks = plan.starts.length;
  const embeddings: (Vector | null)[] = new Array(chunks * K).fill(null);
  const cleanFrames = new Int32Array(chunks * K);
  const activeFrames = new Int32Array(chunks * K);
  const bins = model.features.numMelBins;
  const fullFrames = numFrames(plan.chunkSamples, model.features);
  const selected = new Float32Array(fullFrames * bins);
  const features = new ChunkFbank(samples, model.features);
  for (let c = 0; c < chunks; c++) {
    throwIfCancelled(options.signal);
    const at = c * F * K;
    const used: Uint8Array[] = [];
    for (let k = 0; k < K; k++) {
      const mask = new Uint8Array(F);
      const clean = new Uint8Array(F);
      let active = 0;
      let alone = 0;
      for (let f = 0; f < F; f++) {
        if (!activity[at + f * K + k]) continue;
        mask[f] = 1;
        active++;
        let others = 0;
        for (let j = 0; j < K; j++) if (j !== k) others += activity[at + f * K + j];
        if (!others) {
          clean[f] = 1;
          alone++;
        }
      }
      activeFrames[c * K + k] = active;
      cleanFrames[c * K + k] = alone;
      used.push(alone > options.minAloneFrames ? clean : mask);
    }
    if (!used.some((_, k) => activeFrames[c * K + k] > 0)) continue;
    // The chunk's filterbank once for its speakers (the padded tail of the last chunk has no frames: nobody talks there).
    const fb = features.at(plan.starts[c], plan.chunkSamples);
    for (let k = 0; k < K; k++) {
      if (!activeFrames[c * K + k]) continue;
      let n = 0;
      for (let i = 0; i < fb.frames; i++) {
        if (!used[k][Math.min(F - 1, Math.floor((i * F) / fullFrames))]) continue;
        selected.set(fb.data.subarray(i * bins, (i + 1) * bins), n * bins);
        n++;
      }
      if (n >= MIN_EMBED_FRAMES) embeddings[c * K + k] = await embedFbank(model, selected, n);
    }
    options.onProgress?.((100 * (c + 1)) / chunks);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { embeddings, cleanFrames, activeFrames, localSpeakers: K };
}
