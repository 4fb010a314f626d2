// Progress of a model download across its files: sizes from the catalogue or learned from responses, bytes
// already on disk from an earlier run, callbacks at most every progressIntervalMs.
import * as path from 'path';
import type { CatalogModel } from './catalog';
import { fileSize } from './files';

/** Progress bookkeeping across files; sizes come from the catalogue or are learned from responses. */
export interface DownloadProgress {
  model: string;
  /** Fetching the files, then making int8/q4 from the float graphs (`file` is then the quantizer's step). */
  phase: 'download' | 'quantize';
  /** The file being fetched (catalogue path). */
  file: string;
  fileIndex: number;
  fileCount: number;
  fileBytes: number;
  fileTotal: number | null;
  /** Bytes present for the whole model (including resumed and already complete files). */
  bytes: number;
  /** Total for the whole model, once every size is known (from the catalogue or Content-Length). */
  total: number | null;
}

/** What the progress bookkeeping needs of the download's options. */
export interface ProgressOptions {
  onProgress?: (progress: DownloadProgress) => void;
  /** Minimum interval between progress callbacks. Default 100 ms (file ends are always reported). */
  progressIntervalMs?: number;
}

export class ProgressState {
  private readonly totals: (number | null)[];
  private readonly done: number[];
  private index = 0;
  private last = 0;

  constructor(
    private readonly model: CatalogModel,
    partialDir: string,
    private readonly options: ProgressOptions,
  ) {
    this.totals = model.files.map((f) => f.size);
    this.done = model.files.map((f) => {
      const p = path.join(partialDir, ...f.path.split('/'));
      return fileSize(p) ?? fileSize(`${p}.part`) ?? 0;
    });
  }

  get knownRemaining(): number {
    return this.totals.reduce<number>((s, t, i) => s + (t === null ? 0 : Math.max(0, t - this.done[i])), 0);
  }

  startFile(i: number): void {
    this.index = i;
  }

  setTotal(total: number | null): void {
    if (total !== null) this.totals[this.index] = total;
  }

  setDone(bytes: number): void {
    this.done[this.index] = bytes;
    this.emit(false);
  }

  emit(force: boolean): void {
    if (!this.options.onProgress) return;
    const now = Date.now();
    if (!force && now - this.last < (this.options.progressIntervalMs ?? 100)) return;
    this.last = now;
    const total = this.totals.every((t) => t !== null) ? (this.totals as number[]).reduce((a, b) => a + b, 0) : null;
    this.options.onProgress({
      model: this.model.name,
      phase: 'download',
      file: this.model.files[this.index].path,
      fileIndex: this.index,
      fileCount: this.model.files.length,
      fileBytes: this.done[this.index],
      fileTotal: this.totals[this.index],
      bytes: this.done.reduce((a, b) => a + b, 0),
      total,
    });
  }
}
