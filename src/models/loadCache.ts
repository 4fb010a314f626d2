// Models are loaded once per key (folder, precision, threads) and shared by every job; a load that fails is
// forgotten, so the next job tries again instead of inheriting the old failure.
export class LoadCache<T> {
  private readonly entries = new Map<string, Promise<T>>();

  get(key: string, load: () => Promise<T>): Promise<T> {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = load();
      entry.catch(() => this.entries.delete(key));
      this.entries.set(key, entry);
    }
    return entry;
  }

  /** Empties the cache and returns what it held (for disposal). */
  drain(): Promise<T>[] {
    const all = [...this.entries.values()];
    this.entries.clear();
    return all;
  }
}
