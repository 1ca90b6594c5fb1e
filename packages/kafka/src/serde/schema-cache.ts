/**
 * A size-bounded LRU cache of asynchronously loaded values that shares in-flight loads: concurrent misses
 * of one key start one load and all wait for it. Failed loads are not cached, so the next miss retries.
 */
export class SharedLoadCache<K, V> {
  private readonly values = new Map<K, V>();
  private readonly inFlight = new Map<K, Promise<V>>();

  constructor(
    private readonly maxEntries: number,
    private readonly onLookup?: (result: 'hit' | 'miss' | 'shared' | 'error') => void,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new RangeError('maxEntries must be a positive integer');
  }

  get size(): number {
    return this.values.size;
  }

  async get(key: K, load: (key: K) => Promise<V>): Promise<V> {
    if (this.values.has(key)) {
      const value = this.values.get(key) as V;
      // Map iteration order is insertion order: re-inserting marks the entry most recently used.
      this.values.delete(key);
      this.values.set(key, value);
      this.onLookup?.('hit');
      return value;
    }
    const pending = this.inFlight.get(key);
    if (pending) {
      this.onLookup?.('shared');
      return pending;
    }
    this.onLookup?.('miss');
    const loading = load(key).then(
      (value) => {
        this.inFlight.delete(key);
        this.set(key, value);
        return value;
      },
      (error: unknown) => {
        this.inFlight.delete(key);
        this.onLookup?.('error');
        throw error;
      },
    );
    this.inFlight.set(key, loading);
    return loading;
  }

  peek(key: K): V | undefined {
    return this.values.get(key);
  }

  private set(key: K, value: V): void {
    this.values.delete(key);
    this.values.set(key, value);
    while (this.values.size > this.maxEntries) {
      const oldest = this.values.keys().next();
      if (oldest.done) break;
      this.values.delete(oldest.value);
    }
  }
}
