// The transcription queue in VS Code: a folder or several recordings from the explorer go one after another through
// the engine (each at the job's full core budget), each transcript written beside its recording without a
// question (an existing one means "skip"), the panel showing every file's state and progress with Cancel buttons.
// The queue is kept in the extension's global storage after every change (src/batch/queue.ts), so after VS Code or
// the engine restarts it goes on with what was left; a summary ends it.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { cancel, EMPTY_QUEUE, enqueue, isFinished, nextWaiting, readQueue, resumable, summaryLine, update, writeQueue, type QueueState } from '../batch/queue';
import { expandInputs, planOutputs } from '../batch/plan';
import { EngineCrashedError } from '../engine/client';
import { CancelledError } from '../errors';
import { writeOutputFile } from '../files/writeOutput';
import { render } from '../output';
import { MEDIA_EXTENSIONS } from '../output/mediaNames';
import type { Ctx } from './context';
import { ensureModel } from './ensureModel';
import { jobParams, runJob } from './commands/transcribeFile';
import { messageOf, offerWrittenBeside } from './ui';

export const QUEUE_FILE_NAME = 'queue.json';

/** Who shows the queue: the panel. */
export type QueueView = (state: QueueState, summary?: string) => void;

export class TranscriptionQueue implements vscode.Disposable {
  private state: QueueState;
  private running = false;
  /** VS Code is closing: the running item stays "running" on disk, so the next start does it again. */
  private disposed = false;
  /** Items already retried once after the engine stopped under them. */
  private readonly retried = new Set<string>();
  /** Aborts the job of the item running now, by its index. */
  private current?: { index: number; abort: AbortController };

  constructor(
    private readonly ctx: Ctx,
    private readonly view: QueueView,
  ) {
    this.state = readQueue(this.file());
  }

  private file(): string {
    return path.join(this.ctx.extension.globalStorageUri.fsPath, QUEUE_FILE_NAME);
  }

  private set(state: QueueState): void {
    if (this.disposed) return;
    this.state = state;
    try {
      writeQueue(this.file(), state);
    } catch (err) {
      this.ctx.log.warn(`the queue could not be saved (${messageOf(err)}); it goes on, but would not survive a restart`);
    }
    this.view(state);
  }

  /** Recordings and folders (the media inside, recursively) join the queue; it starts if it was idle. */
  add(paths: readonly string[]): void {
    const format = this.ctx.settings().outputFormat;
    const base = isFinished(this.state) ? EMPTY_QUEUE : this.state;
    const items = planOutputs(expandInputs(paths), format);
    if (!items.length) {
      void vscode.window.showInformationMessage(`TranscrevAI: no recordings there (${MEDIA_EXTENSIONS.join(', ')}).`);
      return;
    }
    this.set(enqueue(base, items, (f) => fs.existsSync(f)));
    this.ctx.log.info(`queue: ${items.length} recordings added from ${paths.join(', ')}`);
    void this.run();
  }

  /** After a restart: what was left of the queue goes on. */
  resume(): void {
    const left = resumable(this.state);
    if (nextWaiting(left) === undefined) return;
    this.set(left);
    const count = left.items.filter((i) => i.status === 'waiting').length;
    this.ctx.log.info(`queue: resuming after a restart, ${count} recordings left`);
    void vscode.window.showInformationMessage(`TranscrevAI: going on with the transcription queue (${count} left).`);
    void this.run();
  }

  /** Cancels one item (its job stops if it runs), or all that wait or run. */
  cancel(index?: number): void {
    if (this.current && (index === undefined || index === this.current.index)) this.current.abort.abort();
    this.set(cancel(this.state, index));
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const settings = this.ctx.settings();
      const model = nextWaiting(this.state) !== undefined ? await ensureModel(this.ctx, settings) : undefined;
      if (!model) return;
      for (let index = nextWaiting(this.state); index !== undefined; index = nextWaiting(this.state)) {
        const item = this.state.items[index];
        // The transcript appeared while the file waited (another job, or a person): the queue leaves it alone.
        if (fs.existsSync(item.output)) {
          this.set(update(this.state, index, { status: 'skipped', reason: 'its transcript exists' }));
          continue;
        }
        const abort = new AbortController();
        this.current = { index, abort };
        this.set(update(this.state, index, { status: 'running', percent: 0 }));
        let lastShown = 0;
        try {
          const params = jobParams(this.ctx, settings, model, item.input, item.input);
          const transcript = await runJob(this.ctx, params, abort.signal, (percent) => {
            // The file is rewritten at most every 5 %: progress is for the eye, not for resuming.
            if (percent - lastShown < 5 && percent < 100) return this.view(update(this.state, index, { percent }));
            lastShown = percent;
            this.set(update(this.state, index, { percent }));
          });
          const text = render(transcript, settings.outputFormat, { wordCues: settings.wordCues });
          const written = writeOutputFile(item.output, text, [item.input], { besideIfHeld: true });
          this.ctx.log.info(`queue: wrote ${written}`);
          offerWrittenBeside(this.ctx, item.output, written);
          this.ctx.jobs?.delivered(path.basename(item.input), vscode.Uri.file(written));
          this.ctx.transcriptWritten.fire({ document: vscode.Uri.file(written), transcript });
          this.set(update(this.state, index, { status: 'done', percent: 100, output: written }));
        } catch (err) {
          if (this.disposed) return;
          if (this.state.items[index].status === 'cancelled') continue; // cancel() has said so
          // The engine stopped under this file (it restarts on the next request): one more try, then a failure.
          if (err instanceof EngineCrashedError && !this.retried.has(item.input)) {
            this.retried.add(item.input);
            this.ctx.log.warn(`queue: the engine stopped during ${item.input}; trying it again`);
            this.set(update(this.state, index, { status: 'waiting', percent: undefined }));
            continue;
          }
          const cancelled = err instanceof CancelledError;
          const reason = cancelled ? 'cancelled' : messageOf(err);
          this.ctx.log.warn(`queue: ${item.input}: ${reason}`);
          this.set(update(this.state, index, { status: cancelled ? 'cancelled' : 'failed', reason, percent: undefined }));
        } finally {
          this.current = undefined;
        }
      }
      if (isFinished(this.state)) this.finish();
    } finally {
      this.running = false;
    }
  }

  private finish(): void {
    const summary = summaryLine(this.state);
    this.ctx.log.info(`queue finished: ${summary}`);
    for (const f of this.state.items.filter((i) => i.status === 'failed')) this.ctx.log.warn(`queue: failed: ${f.input}: ${f.reason}`);
    this.view(this.state, summary);
    void vscode.window.showInformationMessage(`TranscrevAI: queue finished: ${summary}.`);
  }

  dispose(): void {
    this.disposed = true;
    this.current?.abort.abort();
  }
}
