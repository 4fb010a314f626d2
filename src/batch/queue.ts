// The transcription queue of the extension: recordings waiting, running, done, skipped (a transcript exists),
// failed (with the reason) or cancelled, in the order they were added. Kept in a file after every change, so a queue
// survives VS Code or the engine restarting: what was running when it stopped waits again; nothing done is redone.
// Pure apart from the file, so it is unit-tested alone; src/extension/queue.ts runs it.
import * as fs from 'fs';
import * as path from 'path';
import { writeOutputFile } from '../files/writeOutput';
import type { BatchItem } from './plan';

export type QueueStatus = 'waiting' | 'running' | 'done' | 'skipped' | 'failed' | 'cancelled';

export interface QueueItem extends BatchItem {
  status: QueueStatus;
  /** Why it failed, was skipped or cancelled. */
  reason?: string;
  /** 0–100 while running. */
  percent?: number;
}

export interface QueueState {
  version: 1;
  items: QueueItem[];
}

export const EMPTY_QUEUE: QueueState = { version: 1, items: [] };

/** Adds inputs not already waiting or running; an input whose transcript exists is recorded as skipped. */
export function enqueue(state: QueueState, items: readonly BatchItem[], exists: (file: string) => boolean): QueueState {
  const pending = new Set(state.items.filter((i) => i.status === 'waiting' || i.status === 'running').map((i) => i.input));
  const added: QueueItem[] = [];
  for (const item of items) {
    if (pending.has(item.input)) continue;
    pending.add(item.input);
    added.push(exists(item.output) ? { ...item, status: 'skipped', reason: 'its transcript exists' } : { ...item, status: 'waiting' });
  }
  return { ...state, items: [...state.items, ...added] };
}

export function nextWaiting(state: QueueState): number | undefined {
  const i = state.items.findIndex((item) => item.status === 'waiting');
  return i < 0 ? undefined : i;
}

export function update(state: QueueState, index: number, change: Partial<QueueItem>): QueueState {
  return { ...state, items: state.items.map((item, i) => (i === index ? { ...item, ...change } : item)) };
}

/** Cancels one waiting or running item, or (index undefined) all of them. */
export function cancel(state: QueueState, index?: number): QueueState {
  return {
    ...state,
    items: state.items.map((item, i) =>
      (index === undefined || i === index) && (item.status === 'waiting' || item.status === 'running')
        ? { ...item, status: 'cancelled', reason: 'cancelled', percent: undefined }
        : item,
    ),
  };
}

/** After a restart: the item that was running is waiting again (its transcript was never written). */
export function resumable(state: QueueState): QueueState {
  return { ...state, items: state.items.map((item) => (item.status === 'running' ? { ...item, status: 'waiting', percent: undefined } : item)) };
}

/** Once nothing waits or runs, the finished round is forgotten (the summary has been given). */
export function isFinished(state: QueueState): boolean {
  return state.items.length > 0 && nextWaiting(state) === undefined && !state.items.some((i) => i.status === 'running');
}

export function summaryLine(state: QueueState): string {
  const count = (s: QueueStatus) => state.items.filter((i) => i.status === s).length;
  const parts = [`${count('done')} done`, `${count('skipped')} skipped (transcript exists)`, `${count('failed')} failed`];
  if (count('cancelled')) parts.push(`${count('cancelled')} cancelled`);
  if (count('waiting') + count('running')) parts.push(`${count('waiting') + count('running')} left`);
  return parts.join(', ');
}

export function readQueue(file: string): QueueState {
  try {
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as QueueState;
    if (data?.version === 1 && Array.isArray(data.items)) return data;
  } catch {
    /* none, or unreadable: an empty queue (the file is rewritten at the next change) */
  }
  return EMPTY_QUEUE;
}

/** Written whole (writeOutputFile: a temporary file, then a rename), so a crash leaves the old queue or the new one. */
export function writeQueue(file: string, state: QueueState): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeOutputFile(file, JSON.stringify(state, null, 1) + '\n');
}
