import type { RedisClient } from '../redis/RedisConnection.js';
import type { ResponseCaching } from './cachedExecution.js';
import { createKeyv } from './createKeyv.js';
import { EntityTagger } from './entityTags.js';
import { KeyvKeyValueCache } from './KeyvKeyValueCache.js';
import type { MemoryStoreOptions } from './MemoryStore.js';
import { ResponseCache } from './ResponseCache.js';
import { MemoryTagIndex, RedisTagIndex } from './TagIndex.js';

/** How much an in-memory store may hold, when there is no Redis. */
export type MemoryBounds = Pick<MemoryStoreOptions, 'maxEntries' | 'maxBytes'>;

export interface CacheHooks {
  readonly onError: (error: unknown) => void;
  readonly onLookup?: ResponseCaching['onLookup'];
  readonly onPurge?: ResponseCaching['onPurge'];
}

/** Automatic persisted queries, shared by every replica through Redis when there is one, else in bounded memory. */
export function createPersistedQueries(redis: RedisClient | undefined, bounds: MemoryBounds, onError: (error: unknown) => void): KeyvKeyValueCache {
  return new KeyvKeyValueCache(createKeyv('supergate:apq', redis, bounds), onError);
}

/** The response cache, in Redis when there is one, else in bounded memory; it tags by no entity keys until told a supergraph's. */
export function createResponseCaching(redis: RedisClient | undefined, bounds: MemoryBounds, hooks: CacheHooks): ResponseCaching {
  const tags = redis === undefined ? new MemoryTagIndex() : new RedisTagIndex(redis);
  const cache = new ResponseCache({
    // Redis expires tag sets with their entries; in memory, the store tells the index what it drops.
    store: createKeyv('supergate:response', redis, { ...bounds, onRemove: tags instanceof MemoryTagIndex ? (key) => tags.forget(key) : undefined }),
    tags,
    onError: hooks.onError,
  });
  return { cache, tagger: new EntityTagger(new Map()), onLookup: hooks.onLookup, onPurge: hooks.onPurge };
}
