import { describe, expect, it } from 'vitest';
import { createKeyv } from './createKeyv.js';

describe('the in-memory store behind cached answers and persisted queries, without Redis', () => {
  it('drops the least recently used entries once CACHE_MAX_BYTES is reached, and never keeps one larger than that', async () => {
    const store = createKeyv('test', undefined, { maxEntries: 10_000, maxBytes: 4096 });
    for (let n = 0; n < 100; n += 1) await store.set(`query-${n}`, 'x'.repeat(1000));
    const kept = (await Promise.all(Array.from({ length: 100 }, (_, n) => store.get(`query-${n}`)))).filter((value) => value !== undefined);
    // Four of them would be 4,000 bytes before the store's own framing and the keys.
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThanOrEqual(4);
    expect(await store.get('query-99')).toBeDefined();
    await store.set('huge', 'x'.repeat(10_000));
    expect(await store.get('huge')).toBeUndefined();
  });
});
