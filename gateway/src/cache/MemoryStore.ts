import { LRUCache } from 'lru-cache';

export interface MemoryStoreOptions {
  readonly maxEntries: number;
  /** Bound on keys plus values, in UTF-16 code units (about bytes for the ASCII JSON stored here); a larger entry is never kept. */
  readonly maxBytes: number;
  /** Told the key of every entry that leaves the store: evicted, expired or deleted (not when it is replaced). */
  readonly onRemove?: ((key: string) => void) | undefined;
}

/**
 * An in-process store that Keyv can use as it is: Keyv calls
 * `set(key, value, ttl)` with a number of milliseconds, which lru-cache's own
 * `set` (an options object) cannot take. Bounded in entries and in bytes.
 */
export class MemoryStore {
  private readonly lru: LRUCache<string, string>;

  constructor(options: MemoryStoreOptions) {
    const { onRemove } = options;
    this.lru = new LRUCache<string, string>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      sizeCalculation: (value, key) => Math.max(1, value.length + key.length),
      // Expired entries leave on a timer too, so whatever indexes them is pruned without waiting for a read.
      ttlAutopurge: true,
      ...(onRemove === undefined
        ? {}
        : {
            dispose: (_value: string, key: string, reason: LRUCache.DisposeReason) => {
              if (reason === 'evict' || reason === 'expire' || reason === 'delete') onRemove(key);
            },
          }),
    });
  }

  get(key: string): string | undefined {
    return this.lru.get(key);
  }

  set(key: string, value: string, ttl?: number): boolean {
    this.lru.set(key, value, typeof ttl === 'number' && ttl > 0 ? { ttl } : {});
    return true;
  }

  delete(key: string): boolean {
    return this.lru.delete(key);
  }

  clear(): void {
    this.lru.clear();
  }

  has(key: string): boolean {
    return this.lru.has(key);
  }

  /** Entries held now. */
  get size(): number {
    return this.lru.size;
  }

  /** What the entries held now weigh, as `maxBytes` counts. */
  get bytes(): number {
    return this.lru.calculatedSize;
  }
}
