import { createHash } from 'node:crypto';
import { OperationTypeNode } from 'graphql';
import type { GatewayContext } from '../context.js';
import { InflightQueries } from './InflightQueries.js';
import type { CachePolicy, GatewayExecutionResult as ExecutionResult, GatewayRequestContext as RequestContext } from './executorTypes.js';

/** Response headers an execution sets that every request sharing it must carry. */
const SHARED_HEADERS = ['x-cache', 'age'];

/**
 * Identical queries in flight at once (same operation after authorization,
 * variables, caller, scopes and forwarded headers) share one execution: the
 * first runs it, the others wait for its answer. Each request has passed its
 * own limits and authorization, and spent its own budgets, before it gets
 * here. Mutations and subscriptions are never shared.
 */
export class SharedOperations {
  private readonly inflight = new InflightQueries<ExecutionResult, RequestContext>();

  constructor(private readonly onShared: () => void = () => {}) {}

  async run(requestContext: RequestContext, caller: Caller, execute: () => Promise<ExecutionResult>): Promise<ExecutionResult> {
    if (requestContext.operation.operation !== OperationTypeNode.QUERY) return execute();
    const key = sharingKey(requestContext, caller);
    const { result, shared, startedWith } = this.inflight.run(key, execute, requestContext);
    if (!shared || startedWith === undefined) return result;
    const answer = await result;
    this.onShared();
    carryOver(startedWith, requestContext);
    return answer;
  }
}

/** Who asks: answers are shared only among requests of one caller's rights and forwarded headers. */
type Caller = Pick<GatewayContext, 'viewer' | 'forwardedHeaders'>;

function sharingKey(requestContext: RequestContext, { viewer, forwardedHeaders }: Caller): string {
  const headers = Object.entries(forwardedHeaders).sort(([a], [b]) => (a < b ? -1 : 1));
  const who = viewer === null ? null : [viewer.sub, [...viewer.scopes].sort()];
  const text = JSON.stringify([requestContext.queryHash, requestContext.operationName ?? null, requestContext.request.variables ?? {}, who, headers]);
  return createHash('sha256').update(text).digest('base64');
}

/** Gives a request that joined the cache policy and headers of the execution it shared. */
function carryOver(from: RequestContext, to: RequestContext): void {
  const policy = (from.overallCachePolicy as CachePolicy).policyIfCacheable();
  (to.overallCachePolicy as CachePolicy).restrict(policy ?? { maxAge: 0 });
  const source = from.response?.http?.headers;
  const target = to.response?.http?.headers;
  if (source === undefined || target === undefined) return;
  for (const name of SHARED_HEADERS) {
    const value = source.get(name);
    if (value !== null) target.set(name, value);
  }
}
