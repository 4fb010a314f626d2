// The models a process holds: Whisper per (folder, precision, threads), Silero VAD per file, the speaker model
// per (folder, threads). One instance per process, used by the stage handlers whether they serve a child's
// requests or run in the engine itself (--in-process), so both runners load and keep models the same way.
import { loadSpeakerModel, type SpeakerModel } from '../../diarization';
import { LoadCache } from '../../models/loadCache';
import { loadFbankEmbedder, type FbankEmbedder } from '../../diarization/overlap/fbankEmbedder';
import { loadSegmentationModel, type SegmentationModel } from '../../diarization/overlap/segmentationModel';
import type { OverlapModels } from '../../diarization/overlap/runOverlapAware';
import { loadVad, loadWhisperModelWithWarnings, modelKey, type ModelWithWarnings, type Vad } from '../../whisper';
import type { Precision } from '../../vocabulary';

export class ModelCache {
  private readonly whisper = new LoadCache<ModelWithWarnings>();
  private readonly vads = new LoadCache<Vad>();
  private readonly speakers = new LoadCache<SpeakerModel>();
  private readonly segmenters = new LoadCache<SegmentationModel>();
  private readonly embedders = new LoadCache<FbankEmbedder>();

  whisperModel(dir: string, precision: Precision, threads: number): Promise<ModelWithWarnings> {
    return this.whisper.get(modelKey(dir, precision, threads), () => loadWhisperModelWithWarnings(dir, { precision, threads }));
  }

  vad(file: string): Promise<Vad> {
    // The VAD is tiny: one thread, so it never contends with Whisper for the budget.
    return this.vads.get(file, () => loadVad(file, { threads: 1 }));
  }

  speakerModel(dir: string, threads: number): Promise<SpeakerModel> {
    return this.speakers.get(`${dir}|${threads}`, () => loadSpeakerModel(dir, { threads }));
  }

  /** The overlap-aware method's two models; a failure to load is the caller's to report (diarize() falls back). */
  async overlapModels(dirs: { segmentation: string; embedder: string }, threads: number): Promise<OverlapModels> {
    const [segmentation, embedder] = await Promise.all([
      this.segmenters.get(`${dirs.segmentation}|${threads}`, () => loadSegmentationModel(dirs.segmentation, { threads })),
      this.embedders.get(`${dirs.embedder}|${threads}`, () => loadFbankEmbedder(dirs.embedder, { threads })),
    ]);
    return { segmentation, embedder };
  }

  async dispose(): Promise<void> {
    await Promise.allSettled([
      ...this.whisper.drain().map(async (m) => (await m).model.dispose()),
      ...this.vads.drain().map(async (v) => (await v).dispose()),
      ...this.speakers.drain().map(async (m) => (await m).dispose()),
      ...this.segmenters.drain().map(async (m) => (await m).dispose()),
      ...this.embedders.drain().map(async (m) => (await m).dispose()),
    ]);
  }
}

/** The models of this process, shared by every stage handler it runs. */
export const models = new ModelCache();
