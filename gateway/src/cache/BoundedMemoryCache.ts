import { LRUCache } from 'lru-cache';

/**
 * An in-process `KeyValueCache` for Apollo (parsed documents, query plans)
 * bounded in bytes: the least recently used entries go once the entries'
 * approximate size passes `maxBytes`, and an entry larger than that is never
 * kept. Sizes are measured as Apollo measures its own defaults, by the length
 * of the entry's JSON.
 */
export class BoundedMemoryCache<V extends object | string> {
  private readonly entries: LRUCache<string, V>;

  constructor(maxBytes: number) {
    this.entries = new LRUCache<string, V>({ maxSize: maxBytes, sizeCalculation: approximateBytes });
  }

  /** The approximate bytes held now; never more than `maxBytes`. */
  get bytes(): number {
    return this.entries.calculatedSize;
  }

  get size(): number {
    return this.entries.size;
  }

  async get(key: string): Promise<V | undefined> {
    return this.entries.get(key);
  }

  async set(key: string, value: V): Promise<void> {
    this.entries.set(key, value);
  }

  async delete(key: string): Promise<boolean> {
    return this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

/** Key and value together, so a flood of tiny entries under long keys is counted too. */
function approximateBytes(value: object | string, key: string): number {
  // JSON.stringify answers undefined for an object whose toJSON() does, whatever its declared type says.
  const length = typeof value === 'string' ? value.length : ((JSON.stringify(value) as string | undefined)?.length ?? 0);
  return Math.max(1, length + key.length);
}
