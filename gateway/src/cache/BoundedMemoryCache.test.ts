import { parse, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { BoundedMemoryCache } from './BoundedMemoryCache.js';

describe('the in-memory document and query-plan caches', () => {
  it('never hold more bytes than their bound, however many distinct documents arrive', async () => {
    const maxBytes = 64 * 1024;
    const cache = new BoundedMemoryCache<DocumentNode>(maxBytes);
    for (let n = 0; n < 5_000; n += 1) {
      await cache.set(`hash-${n}`, parse(`query Q${n} { product(upc: "${n}") { name price reviews { body } } }`));
      expect(cache.bytes).toBeLessThanOrEqual(maxBytes);
    }
    expect(cache.size).toBeGreaterThan(10);
    expect(cache.size).toBeLessThan(5_000);
    // The most recent survive; the oldest went first.
    expect(await cache.get('hash-4999')).toBeDefined();
    expect(await cache.get('hash-0')).toBeUndefined();
  });

  it('does not keep an entry larger than the whole bound', async () => {
    const cache = new BoundedMemoryCache<string>(1024);
    await cache.set('small', 'x'.repeat(100));
    await cache.set('huge', 'x'.repeat(10_000));
    expect(await cache.get('huge')).toBeUndefined();
    expect(await cache.get('small')).toBeDefined();
  });
});
