import KeyvRedis from '@keyv/redis';
import { Keyv } from 'keyv';
import { LRUCache } from 'lru-cache';
import type { RedisClient } from '../redis/RedisConnection.js';

/**
 * A string store in Redis under `namespace` when the gateway has Redis, else an
 * in-process LRU bounded in entries and in bytes (an entry larger than
 * `maxBytes` is never kept). Errors are thrown, so callers decide what a
 * failure means (for the caches: a miss).
 */
export function createKeyv(namespace: string, redis: RedisClient | undefined, maxEntries: number, maxBytes: number): Keyv<string> {
  const store = redis === undefined ? new LRUCache<string, string>({ max: maxEntries, maxSize: maxBytes, sizeCalculation: (value, key) => Math.max(1, value.length + key.length) }) : new KeyvRedis(redis, { namespace, throwOnErrors: true, throwOnConnectError: false });
  return new Keyv<string>({ store, namespace, throwOnErrors: true });
}
