import { createHash } from 'node:crypto';
import { OperationTypeNode, print, type DocumentNode } from 'graphql';
import type { GatewayContext } from '../context.js';
import type { CachePolicy, GatewayExecutionResult, GatewayRequestContext } from '../execution/executorTypes.js';
import type { ExecuteOperation, SupergateOperation } from '../plugins/SupergatePlugin.js';
import type { EntityTagger, TaggableOperation } from './entityTags.js';
import { takeEntityTags } from './entityTags.js';
import type { CacheKeys, ResponseCache } from './ResponseCache.js';

export type CacheOutcome = 'hit' | 'miss' | 'bypass';

export interface ResponseCaching {
  readonly cache: ResponseCache;
  readonly tagger: EntityTagger;
  readonly onLookup?: ((outcome: CacheOutcome) => void) | undefined;
  readonly onPurge?: ((entries: number) => void) | undefined;
}

const normalizedHashes = new WeakMap<DocumentNode, string>();
/** Documents whose last answer could not be cached; they run untagged until one can be. */
const uncacheableDocuments = new WeakSet<DocumentNode>();

/** What the cache needs of the request beyond Apollo's own context. */
type CachingRequest = Pick<GatewayContext, 'viewer' | 'forwardedHeaders' | 'changedEntities' | 'fetchEpoch'>;

/**
 * Runs an operation that passed the edge checks through the response cache:
 * a query is answered from the cache when it can be (no plan, no subgraph),
 * else executed with entity tags and stored if every subgraph said it may be;
 * a mutation purges every cached answer holding an entity it changed before
 * its own answer goes back. The cache never changes an answer: if the tagged
 * operation cannot be planned, the client's own runs, uncached. Every check
 * of the operation has passed before it gets here, so a hit skips none.
 */
export async function executeWithCache(
  caching: ResponseCaching,
  requestContext: GatewayRequestContext,
  operation: SupergateOperation,
  execute: ExecuteOperation,
): Promise<GatewayExecutionResult> {
  const { cache, tagger } = caching;
  const request: CachingRequest = operation.context;
  const { viewer, changedEntities, fetchEpoch } = request;
  const headers = requestContext.response?.http?.headers;
  if (requestContext.operation.operation !== OperationTypeNode.QUERY) {
    const result = await execute(requestContext, operation);
    // Purged even when the mutation failed in part: whatever it did change must not be served stale.
    if (changedEntities.size > 0) caching.onPurge?.(await cache.purge([...changedEntities]));
    caching.onLookup?.('bypass');
    headers?.set('x-cache', 'BYPASS');
    return result;
  }

  const keys = cacheKeys(requestContext, request);
  const policy = requestContext.overallCachePolicy as CachePolicy;
  const refresh = /\bno-cache\b/i.test(requestContext.request.http?.headers.get('cache-control') ?? '');
  // One round trip for both when the store is Redis: the read, and the epoch a miss needs.
  const [cached, epoch] = await Promise.all([refresh ? undefined : cache.lookup(keys), cache.epoch()]);
  if (cached !== undefined) {
    const age = Math.max(0, Math.floor((Date.now() - cached.storedAt) / 1000));
    policy.restrict({ maxAge: Math.max(0, cached.maxAge - age), scope: cached.scope });
    headers?.set('x-cache', 'HIT');
    headers?.set('age', String(age));
    caching.onLookup?.('hit');
    return { data: cached.data as Record<string, unknown> };
  }

  fetchEpoch.note(epoch);
  const document = requestContext.document;
  const taggable = uncacheableDocuments.has(document) ? undefined : tagger.taggable(document, requestContext.schema);
  const { result, tags } = await executeTagged(requestContext, operation, execute, taggable);
  const cacheable = policy.policyIfCacheable();
  const storable = cacheable !== null && result.errors === undefined && result.data != null && !(cacheable.scope === 'PRIVATE' && viewer === null);
  if (!storable) uncacheableDocuments.add(document);
  // An untagged answer says nothing of the entities it holds, so it is not stored; the next run tags again.
  else if (tags === undefined) uncacheableDocuments.delete(document);
  const storedUnder = fetchEpoch.current;
  if (storable && tags !== undefined && storedUnder !== undefined) {
    await cache.store(
      keys,
      { data: result.data, storedAt: Date.now(), maxAge: cacheable.maxAge, scope: cacheable.scope === 'PRIVATE' ? 'PRIVATE' : 'PUBLIC' },
      [...tags],
      storedUnder,
    );
  }
  headers?.set('x-cache', 'MISS');
  caching.onLookup?.(refresh ? 'bypass' : 'miss');
  return result;
}

/** Runs the tagged operation when there is one, and the client's own when there is none or it cannot be planned. */
async function executeTagged(
  requestContext: GatewayRequestContext,
  operation: SupergateOperation,
  execute: ExecuteOperation,
  taggable: TaggableOperation | null | undefined,
): Promise<{ result: GatewayExecutionResult; tags: Set<string> | undefined }> {
  if (taggable === null || taggable === undefined) return { result: await execute(requestContext, operation), tags: undefined };
  let result: GatewayExecutionResult;
  try {
    result = await execute({ ...requestContext, document: taggable.document, queryHash: taggable.queryHash }, operation);
  } catch {
    // Planning threw before any subgraph was called: the added selections do not fit this graph.
    return { result: await execute(requestContext, operation), tags: undefined };
  }
  return { result, tags: takeEntityTags(result.data) };
}

function cacheKeys(requestContext: GatewayRequestContext, { viewer, forwardedHeaders }: CachingRequest): CacheKeys {
  let normalized = normalizedHashes.get(requestContext.document);
  if (normalized === undefined) {
    normalized = sha256(print(requestContext.document));
    normalizedHashes.set(requestContext.document, normalized);
  }
  // Everything that changes what any caller sees: the operation, its variables and the headers subgraphs are sent.
  const headers = Object.entries(forwardedHeaders).sort(([a], [b]) => (a < b ? -1 : 1));
  const shared = sha256(JSON.stringify([normalized, requestContext.operationName ?? null, requestContext.request.variables ?? {}, headers]));
  // And for a private answer, who is asking with which rights.
  const personal = viewer === null ? undefined : sha256(JSON.stringify([shared, viewer.sub, [...viewer.scopes].sort()]));
  return { shared, personal };
}
function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
