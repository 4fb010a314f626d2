// The filterbank of each chunk, made once per frame of the recording. Chunks overlap (a long recording's chunks
// every 5 s are 10 s long: every frame lies in two of them) and Kaldi's frames are independent of one another, so
// the frames a chunk shares with the previous one are copied, not computed again. With snip_edges and a chunk step
// of whole frame shifts (as diarizeOverlapAware plans them) the result is exactly fbank() of the chunk; with a mean
// removal over the chunk (cmn) frames depend on the whole chunk, and each chunk is computed afresh.
import type { SampleSource } from '../../audio/source';
import { fbank, frameShift, numFrames, type Fbank, type FbankConfig } from '../fbank';

export class ChunkFbank {
  private last?: { start: number; fb: Fbank };

  constructor(
    private readonly samples: SampleSource,
    private readonly config: FbankConfig,
  ) {}

  /** fbank() of samples [start, start + length) (shorter past the end of the recording). */
  at(start: number, length: number): Fbank {
    const shift = frameShift(this.config);
    const end = Math.min(this.samples.length, start + length);
    const frames = numFrames(Math.max(0, end - start), this.config);
    const last = this.last;
    const offset = last ? (start - last.start) / shift : -1;
    // Frames shared with the previous chunk: its frames from `offset` on.
    const shared =
      last && this.config.snipEdges && !this.config.cmn && Number.isInteger(offset) && offset >= 0 ? Math.max(0, Math.min(frames, last.fb.frames - offset)) : 0;
    let fb: Fbank;
    if (!shared) fb = fbank(this.samples.read(start, end), this.config);
    else {
      const bins = this.config.numMelBins;
      const data = new Float32Array(frames * bins);
      data.set(last!.fb.data.subarray(offset * bins, (offset + shared) * bins));
      // Frame `shared` onwards starts at a whole frame shift, where fbank() of the rest starts its frame 0.
      const rest = fbank(this.samples.read(start + shared * shift, end), this.config);
      data.set(rest.data.subarray(0, (frames - shared) * bins), shared * bins);
      fb = { frames, bins, data };
    }
    this.last = { start, fb };
    return fb;
  }
}
