import { OperationTypeNode } from 'graphql';
import { restrictCachePolicy } from '../cache/subgraphCacheHint.js';
import type { GatewayContext } from '../context.js';
import type { SubgraphRequest, SubgraphResponse } from './executorTypes.js';
import { InflightQueries } from './InflightQueries.js';

/**
 * Identical subgraph queries in flight at once (same query, variables,
 * caller and forwarded headers) share one call. The caller that started it
 * gets the answer; each one that joined gets its own copy, its cache policy
 * narrowed by the answer's hint as if it had made the call itself, and the
 * call's cache epoch, since its answer is as old as the call.
 */
export class SharedSubgraphCalls {
  /** Noted with the cache epoch the starting request fetches under. */
  private readonly inflight = new InflightQueries<SubgraphResponse, number>();

  constructor(
    private readonly enabled: boolean,
    /** Told each time a call joins an identical one in flight instead of being made. */
    private readonly onSharedCall: () => void,
  ) {}

  /** Makes the call with `call`, or joins an identical one in flight. */
  async callOrShare(request: SubgraphRequest, call: () => Promise<SubgraphResponse>): Promise<SubgraphResponse> {
    const key = this.enabled ? sharedCallKey(request) : undefined;
    if (key === undefined) return call();
    const fetchEpoch = (request.context as Partial<GatewayContext>).fetchEpoch;
    const { result, shared, startedWith } = this.inflight.run(key, call, fetchEpoch?.startedUnder);
    if (!shared) return result;
    this.onSharedCall();
    fetchEpoch?.joined(startedWith);
    // Copied as soon as the call settles, before the starter's query plan merges into the original.
    const response = await result.then(copyOf);
    restrictCachePolicy(request, response);
    return response;
  }
}

/**
 * The key concurrent identical calls share, or undefined when the call must be made on its own (anything in a
 * mutation). A subscription's calls here are the joins of its events, which read as a query's do.
 */
function sharedCallKey(request: SubgraphRequest): string | undefined {
  if (!('incomingRequestContext' in request) || request.incomingRequestContext.operation.operation === OperationTypeNode.MUTATION) return undefined;
  const { query, variables } = request.request;
  if (query === undefined) return undefined;
  const context = request.context as Partial<GatewayContext>;
  const viewer = context.viewer ?? null;
  // Everything that can change a subgraph's answer: what is asked, and who asks with which headers.
  return JSON.stringify([query, variables ?? {}, viewer?.sub ?? null, viewer === null ? [] : [...viewer.scopes].sort(), context.forwardedHeaders ?? {}]);
}

/** The query plan merges fetched objects into the caller's answer in place, so no two callers may hold the same objects. */
function copyOf(response: SubgraphResponse): SubgraphResponse {
  const copy = { ...response };
  if (response.data !== undefined) copy.data = structuredClone(response.data);
  if (response.errors !== undefined) copy.errors = structuredClone(response.errors);
  if (response.extensions !== undefined) copy.extensions = structuredClone(response.extensions);
  return copy;
}
