// The overlap-aware method as diarize() runs it: its two models (loaded here unless the caller holds them), the
// chunk step for the recording's length, the speakers' summary and voices. A model that is missing or fails gives
// the reason instead of a result, so diarize() can fall back to the GE2E method and say why.
import type { SampleSource } from '../../audio/source';
import { TranscrevError } from '../../errors';
import { SAMPLE_RATE } from '../../vocabulary';
import { countBounds } from '../count';
import type { DiarizationResult } from '../index';
import { summarize } from '../summary';
import type { SpeakerCount } from '../types';
import { voicesOf } from '../voiceProfiles';
import { diarizeOverlapAware } from './diarizeOverlapAware';
import { loadFbankEmbedder, type FbankEmbedder } from './fbankEmbedder';
import { loadSegmentationModel, type SegmentationModel } from './segmentationModel';

export interface OverlapModels {
  segmentation: SegmentationModel;
  embedder: FbankEmbedder;
}

/**
 * Seconds between chunk starts. pyannote steps by 1 s (a tenth of the chunk): every moment is seen by 10 chunks.
 * The cost grows with the number of chunks, so long recordings step further, up to half a chunk (each moment still
 * seen twice): about one chunk per 5 s of a long recording.
 */
export function chunkStepSeconds(durationSeconds: number): number {
  return Math.min(5, Math.max(1, durationSeconds / 60));
}

export async function runOverlapAware(
  samples: SampleSource,
  given: { models?: OverlapModels },
  options: SpeakerCount & { threads: number; dirs: { segmentation: string; embedder: string }; signal?: AbortSignal },
  progress: (percent: number) => void,
): Promise<{ result: DiarizationResult } | { why: string }> {
  let models = given.models;
  const owned = !models;
  try {
    if (!models) {
      const segmentation = await loadSegmentationModel(options.dirs.segmentation, { threads: options.threads });
      try {
        models = { segmentation, embedder: await loadFbankEmbedder(options.dirs.embedder, { threads: options.threads }) };
      } catch (err) {
        await segmentation.dispose();
        throw err;
      }
    }
    const userBounds = options.speakers !== undefined || options.minSpeakers !== undefined || options.maxSpeakers !== undefined;
    const duration = samples.length / SAMPLE_RATE;
    const step = chunkStepSeconds(duration);
    const r = await diarizeOverlapAware(samples, models.segmentation, models.embedder, {
      bounds: countBounds(options, Number.MAX_SAFE_INTEGER),
      userBounds,
      stepSeconds: step,
      signal: options.signal,
      onProgress: progress,
    });
    const speakers = summarize(r.turns);
    const reason = r.turns.length
      ? `speaker segmentation (up to 2 at once) over ${r.chunks} chunks of 10 s every ${step.toFixed(1)} s, CAM++ embeddings of ${r.clustered} local speakers, centroid clustering: ${speakers.length} speaker(s), ${r.overlapSeconds.toFixed(1)} s of overlapping speech`
      : 'the speaker segmentation found no speech';
    const voices = r.embeddings.length
      ? voicesOf(
          r.embeddings.map((e) => e.vector),
          r.embeddings.map((e) => e.speaker),
          models.embedder.space,
          'campplus',
        )
      : undefined;
    return {
      result: {
        turns: r.turns,
        exclusiveTurns: r.exclusiveTurns,
        speakers,
        method: 'overlap-aware',
        reason,
        warnings: [],
        windows: r.chunks,
        ...(voices && { voices }),
      },
    };
  } catch (err) {
    if (err instanceof TranscrevError && (err.kind === 'cancelled' || err.kind === 'usage')) throw err;
    return { why: `overlap-aware models unavailable (${(err as Error).message})` };
  } finally {
    if (owned && models) await Promise.allSettled([models.segmentation.dispose(), models.embedder.dispose()]);
  }
}
