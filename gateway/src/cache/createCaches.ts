import type { GatewayConfig } from '../config.js';
import type { RedisClient } from '../redis/RedisConnection.js';
import type { ResponseCaching } from './cachedExecution.js';
import { createKeyv } from './createKeyv.js';
import { EntityTagger } from './entityTags.js';
import { KeyvKeyValueCache } from './KeyvKeyValueCache.js';
import { ResponseCache } from './ResponseCache.js';
import { MemoryTagIndex, RedisTagIndex } from './TagIndex.js';

export interface GatewayCaches {
  /** Undefined when `RESPONSE_CACHE=off`. */
  readonly responses: ResponseCaching | undefined;
  /** Automatic persisted queries, shared by every replica through Redis. */
  readonly persistedQueries: KeyvKeyValueCache;
}

export interface CacheHooks {
  readonly onError: (error: unknown) => void;
  readonly onLookup?: ResponseCaching['onLookup'];
  readonly onPurge?: ResponseCaching['onPurge'];
}

/** The response cache and the persisted-query store, in Redis when there is one, else in bounded memory. */
export function createCaches(config: GatewayConfig, entityKeys: ReadonlyMap<string, readonly string[]>, redis: RedisClient | undefined, hooks: CacheHooks): GatewayCaches {
  const bounds = { maxEntries: config.cacheMaxEntries, maxBytes: config.cacheMaxBytes };
  const persistedQueries = new KeyvKeyValueCache(createKeyv('supergate:apq', redis, bounds), hooks.onError);
  if (!config.responseCache) return { responses: undefined, persistedQueries };
  const tags = redis === undefined ? new MemoryTagIndex() : new RedisTagIndex(redis);
  const cache = new ResponseCache({
    // Redis expires tag sets with their entries; in memory, the store tells the index what it drops.
    store: createKeyv('supergate:response', redis, { ...bounds, onRemove: tags instanceof MemoryTagIndex ? (key) => tags.forget(key) : undefined }),
    tags,
    onError: hooks.onError,
  });
  return {
    responses: { cache, tagger: new EntityTagger(entityKeys), onLookup: hooks.onLookup, onPurge: hooks.onPurge },
    persistedQueries,
  };
}
