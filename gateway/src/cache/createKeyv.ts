import KeyvRedis from '@keyv/redis';
import { Keyv } from 'keyv';
import type { RedisClient } from '../redis/RedisConnection.js';
import { MemoryStore, type MemoryStoreOptions } from './MemoryStore.js';

/**
 * A string store in Redis under `namespace` when the gateway has Redis, else
 * in process memory, bounded in entries and bytes. Errors are thrown, so
 * callers decide what a failure means (for the caches: a miss).
 */
export function createKeyv(namespace: string, redis: RedisClient | undefined, memory: MemoryStoreOptions): Keyv<string> {
  if (redis !== undefined)
    return new Keyv<string>({ store: new KeyvRedis(redis, { namespace, throwOnErrors: true, throwOnConnectError: false }), namespace, throwOnErrors: true });
  // One store per namespace already, and unprefixed keys are what the tag index knows entries by.
  return new Keyv<string>({ store: new MemoryStore(memory), namespace, useKeyPrefix: false, throwOnErrors: true });
}
