import type { IncomingMessage } from 'node:http';
import { OperationTypeNode } from 'graphql';
import { CACHE_PURGE_CHANNEL, purgeTags } from '../../../lib/cachePurge.js';
import type { VouchedIdentity } from '../../../lib/gatewayToken.js';
import type { Viewer } from '../auth/Viewer.js';
import type { SupergatePlugin } from '../plugins/SupergatePlugin.js';
import type { RedisClient } from '../redis/RedisConnection.js';
import { executeWithCache, type ResponseCaching } from './cachedExecution.js';
import { createResponseCaching, type CacheHooks } from './createCaches.js';
import { invalidationRoute } from './invalidationRoute.js';

export interface ResponseCacheOptions {
  /** Where answers live, shared by every replica; a failing store is a miss, never a failed request. @default process memory */
  readonly redis?: RedisClient | undefined;
  /** Most answers kept in process memory when there is no Redis. @default 10000 */
  readonly maxEntries?: number;
  /** Bytes of answers kept in process memory when there is no Redis. @default 67108864 (64 MiB) */
  readonly maxBytes?: number;
  /** Verifies the caller of `POST /cache/invalidate`, which needs scope `admin`. @default undefined (the route is not served) */
  readonly authenticate?: ((req: IncomingMessage) => Promise<Viewer | null>) | undefined;
  /** Verifies a service's own token on `POST /cache/invalidate`, so a subgraph can purge what its background jobs change. @default undefined (admin tokens only) */
  readonly verifyService?: ((token: string) => Promise<VouchedIdentity | null>) | undefined;
  /** Told a purge message on Redis could not be read or applied. @default nothing */
  readonly log?: ((level: 'warn', message: string) => void) | undefined;
  /** Largest `POST /cache/invalidate` body. @default 1048576 */
  readonly maxBodyBytes?: number;
  /** Told every failure of the store. @default nothing */
  readonly onError?: CacheHooks['onError'] | undefined;
  /** Told each lookup's outcome: `hit`, `miss` or `bypass`. @default nothing */
  readonly onLookup?: CacheHooks['onLookup'];
  /** Told how many answers each purge deleted. @default nothing */
  readonly onPurge?: CacheHooks['onPurge'];
}

/** The in-memory bounds `ResponseCacheOptions` default to, which are also those of `CACHE_MAX_ENTRIES` and `CACHE_MAX_BYTES`. */
export const DEFAULT_CACHE_BOUNDS = Object.freeze({ maxEntries: 10_000, maxBytes: 64 * 1024 * 1024 });

/**
 * Whole answers cached by operation, variables, forwarded headers and (for a
 * private answer) caller, for as long as the strictest cache hint of every
 * subgraph involved allows: a hit runs no plan and calls no subgraph, with
 * `X-Cache: HIT` and `Age`. Answers are tagged with the entities they hold, and
 * a mutation purges every answer holding an entity it changed. An answer with
 * errors, or one the caller was not authorized for in full, is never stored.
 */
export function useResponseCache(options: ResponseCacheOptions = {}): SupergatePlugin & { readonly caching: ResponseCaching } {
  const caching = createResponseCaching(
    options.redis,
    { maxEntries: options.maxEntries ?? DEFAULT_CACHE_BOUNDS.maxEntries, maxBytes: options.maxBytes ?? DEFAULT_CACHE_BOUNDS.maxBytes },
    { onError: options.onError ?? (() => undefined), onLookup: options.onLookup, onPurge: options.onPurge },
  );
  const { authenticate, redis } = options;
  let purgeSubscriber: RedisClient | undefined;
  return {
    name: 'responseCache',
    caching,
    // Services publish purges for changes no request through the gateway made (a background job).
    async onStart() {
      if (redis === undefined) return;
      const subscriber = redis.duplicate();
      subscriber.on('error', () => undefined);
      purgeSubscriber = subscriber;
      try {
        await subscriber.connect();
        await subscriber.subscribe(CACHE_PURGE_CHANNEL, (message) => {
          const tags = purgeTags(safeParse(message));
          if (tags === undefined) {
            options.log?.('warn', `ignored a message on ${CACHE_PURGE_CHANNEL} that is not {"tags": ["Type:key", ...]}`);
            return;
          }
          caching.cache.purge(tags).then(
            (purged) => caching.onPurge?.(purged),
            (error: unknown) => options.onError?.(error),
          );
        });
      } catch (error) {
        // The client reconnects and resubscribes on its own; until then purges from services are missed, as is the cache.
        options.onError?.(error);
      }
    },
    async onStop() {
      await purgeSubscriber?.close().catch(() => undefined);
    },
    onSupergraph(supergraph) {
      caching.tagger.useKeys(supergraph.entityKeys);
    },
    // Mutations go through the cache too, which purges what they changed.
    wrapExecute: (next) => (requestContext, operation) =>
      operation.errors.length > 0 && operation.operation.operation === OperationTypeNode.QUERY
        ? next(requestContext, operation)
        : executeWithCache(caching, requestContext, operation, next),
    routes:
      authenticate === undefined
        ? undefined
        : {
            'POST /cache/invalidate': invalidationRoute({
              authenticate,
              verifyService: options.verifyService,
              caching,
              maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
            }),
          },
  };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
