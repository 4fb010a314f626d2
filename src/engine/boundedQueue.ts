// A FIFO with a fixed capacity (the product design's 50 items between stages). It never drops: a full queue
// refuses the item and the producer stops producing. Between live stages the items are only sample ranges of
// the journal, so a stalled producer loses nothing: the audio waits on disk until the queue has room.
export const DEFAULT_QUEUE_CAPACITY = 50;

export class BoundedQueue<T> {
  private readonly items: T[] = [];
  /** Most items ever held at once (for tests and status). */
  peak = 0;

  constructor(readonly capacity = DEFAULT_QUEUE_CAPACITY) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new Error(`queue capacity must be a whole number ≥ 1 (got ${capacity})`);
  }

  get length(): number {
    return this.items.length;
  }

  get full(): boolean {
    return this.items.length >= this.capacity;
  }

  /** Adds the item, or returns false (and keeps nothing) when the queue is full. */
  offer(item: T): boolean {
    if (this.full) return false;
    this.items.push(item);
    this.peak = Math.max(this.peak, this.items.length);
    return true;
  }

  take(): T | undefined {
    return this.items.shift();
  }
}
