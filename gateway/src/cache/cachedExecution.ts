import { createHash } from 'node:crypto';
import type { ApolloGateway } from '@apollo/gateway';
import { print, type DocumentNode } from 'graphql';
import type { Viewer } from '../auth/Viewer.js';
import type { EntityTagger } from './entityTags.js';
import { takeEntityTags } from './entityTags.js';
import type { CacheKeys, ResponseCache } from './ResponseCache.js';

export type CacheOutcome = 'hit' | 'miss' | 'bypass';

export interface ResponseCaching {
  readonly cache: ResponseCache;
  readonly tagger: EntityTagger;
  readonly onLookup?: ((outcome: CacheOutcome) => void) | undefined;
  readonly onPurge?: ((entries: number) => void) | undefined;
}

type Execute = Awaited<ReturnType<ApolloGateway['load']>>['executor'];
type GatewayGraphQLRequestContext = Parameters<Execute>[0];
type GatewayExecutionResult = Awaited<ReturnType<Execute>>;

/** The part of Apollo's per-request cache policy the cache reads and narrows. */
interface CachePolicy {
  restrict(hint: { maxAge?: number; scope?: 'PUBLIC' | 'PRIVATE' }): void;
  policyIfCacheable(): { maxAge: number; scope: 'PUBLIC' | 'PRIVATE' } | null;
}

const normalizedHashes = new WeakMap<DocumentNode, string>();

/**
 * Runs an operation that passed the edge checks through the response cache:
 * a query is answered from the cache when it can be (no plan, no subgraph),
 * else executed with entity tags and stored if every subgraph said it may be;
 * a mutation purges every cached answer holding an entity it changed before
 * its own answer goes back.
 */
export async function executeWithCache(
  caching: ResponseCaching,
  requestContext: GatewayGraphQLRequestContext,
  execute: Execute,
  viewer: Viewer | null,
  changedEntities: ReadonlySet<string>,
  /** The rate-limit step; it runs alongside the cache read, and a refusal wins over any hit. */
  spendBudgets: () => Promise<void>,
): Promise<GatewayExecutionResult> {
  const { cache, tagger } = caching;
  const headers = requestContext.response?.http?.headers;
  if (requestContext.operation.operation !== 'query') {
    await spendBudgets();
    const result = await execute(requestContext);
    // Purged even when the mutation failed in part: whatever it did change must not be served stale.
    if (changedEntities.size > 0) caching.onPurge?.(await cache.purge([...changedEntities]));
    caching.onLookup?.('bypass');
    headers?.set('x-cache', 'BYPASS');
    return result;
  }

  const keys = cacheKeys(requestContext, viewer);
  const policy = requestContext.overallCachePolicy as CachePolicy;
  const refresh = /\bno-cache\b/i.test(requestContext.request.http?.headers.get('cache-control') ?? '');
  // One round trip for all three when the store is Redis: the budgets, the read, and the epoch a miss needs.
  const [, cached, epoch] = await Promise.all([spendBudgets(), refresh ? undefined : cache.lookup(keys), cache.epoch()]);
  if (cached !== undefined) {
    const age = Math.max(0, Math.floor((Date.now() - cached.storedAt) / 1000));
    policy.restrict({ maxAge: Math.max(0, cached.maxAge - age), scope: cached.scope });
    headers?.set('x-cache', 'HIT');
    headers?.set('age', String(age));
    caching.onLookup?.('hit');
    return { data: cached.data as Record<string, unknown> };
  }

  const taggable = tagger.taggable(requestContext.document, requestContext.schema);
  const result = await execute({ ...requestContext, document: taggable.document, queryHash: taggable.queryHash });
  const tags = takeEntityTags(result.data);
  const cacheable = policy.policyIfCacheable();
  if (epoch !== undefined && cacheable !== null && result.errors === undefined && result.data != null && !(cacheable.scope === 'PRIVATE' && viewer === null)) {
    await cache.store(keys, { data: result.data, storedAt: Date.now(), maxAge: cacheable.maxAge, scope: cacheable.scope === 'PRIVATE' ? 'PRIVATE' : 'PUBLIC' }, [...tags], epoch);
  }
  headers?.set('x-cache', 'MISS');
  caching.onLookup?.(refresh ? 'bypass' : 'miss');
  return result;
}

function cacheKeys(requestContext: GatewayGraphQLRequestContext, viewer: Viewer | null): CacheKeys {
  let normalized = normalizedHashes.get(requestContext.document);
  if (normalized === undefined) {
    normalized = sha256(print(requestContext.document));
    normalizedHashes.set(requestContext.document, normalized);
  }
  const shared = sha256(JSON.stringify([normalized, requestContext.operationName ?? null, requestContext.request.variables ?? {}]));
  return { shared, personal: viewer === null ? undefined : sha256(`${shared}\u0000${viewer.sub}`) };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
