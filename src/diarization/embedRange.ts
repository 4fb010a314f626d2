// One speaker embedding for a stretch of audio (a live phrase). GE2E: the mean of its window embeddings, normalised
// (GE2E's own utterance embedding). CAM++: one pass over the phrase's filterbank.
import { embedWindows, type SpeakerModel } from './embed';
import { fbank } from './fbank';
import { embedFbank, type FbankEmbedder } from './overlap/fbankEmbedder';
import { l2normalize, mean } from './vectors';
import { HOP_FRACTION } from './index';
import { MIN_WINDOW_SECONDS, planWindows } from './windows';
import { SAMPLE_RATE } from '../vocabulary';

/** Undefined when the audio is shorter than MIN_WINDOW_SECONDS: too little to tell a speaker. */
export async function embedRange(model: SpeakerModel, samples: Float32Array, signal?: AbortSignal): Promise<Float32Array | null> {
  if (samples.length < MIN_WINDOW_SECONDS * SAMPLE_RATE) return null;
  const windows = planWindows([{ start: 0, end: samples.length }], {
    window: model.windowSeconds,
    hop: model.windowSeconds * HOP_FRACTION,
    length: samples.length,
  });
  if (!windows.length) return null;
  const vectors = await embedWindows(model, samples, windows, { signal });
  return l2normalize(mean(vectors));
}

/** CAM++'s embedding of the phrase; null when it is shorter than MIN_WINDOW_SECONDS, as for GE2E. */
export async function embedRangeFbank(model: FbankEmbedder, samples: Float32Array): Promise<Float32Array | null> {
  if (samples.length < MIN_WINDOW_SECONDS * SAMPLE_RATE) return null;
  const fb = fbank(samples, model.features);
  return fb.frames ? embedFbank(model, fb.data, fb.frames) : null;
}
