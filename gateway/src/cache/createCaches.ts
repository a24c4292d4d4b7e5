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
  const persistedQueries = new KeyvKeyValueCache(createKeyv('supergate:apq', redis, config.cacheMaxEntries, config.cacheMaxBytes), hooks.onError);
  if (!config.responseCache) return { responses: undefined, persistedQueries };
  const cache = new ResponseCache({
    store: createKeyv('supergate:response', redis, config.cacheMaxEntries, config.cacheMaxBytes),
    tags: redis === undefined ? new MemoryTagIndex() : new RedisTagIndex(redis),
    onError: hooks.onError,
  });
  return {
    responses: { cache, tagger: new EntityTagger(entityKeys), onLookup: hooks.onLookup, onPurge: hooks.onPurge },
    persistedQueries,
  };
}
