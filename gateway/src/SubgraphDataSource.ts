import type { GraphQLDataSource } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import type { GatewayTokenSigner } from '../../lib/gatewayToken.js';
import { setCallerHeaders } from './auth/callerHeaders.js';
import { collectChangedEntities } from './cache/changedEntities.js';
import { restrictCachePolicy } from './cache/subgraphCacheHint.js';
import type { GatewayContext } from './context.js';
import type { SubgraphRequest, SubgraphResponse } from './execution/executorTypes.js';
import { postToSubgraph, type SubgraphPost } from './execution/postToSubgraph.js';
import { SharedSubgraphCalls } from './execution/SharedSubgraphCalls.js';
import { callWithRetries } from './resilience/callWithRetries.js';
import { errorsAtFetchedFields } from './resilience/fetchFailureErrors.js';
import type { SubgraphCallPolicy } from './resilience/SubgraphCalls.js';

/**
 * Calls one subgraph. Failures to reach it, or HTTP failures, become errors
 * with a stable code and the service's name, never its URL or response body.
 * Each call has one deadline, retries included; a query that could not reach the
 * subgraph is sent once more after a jittered backoff if the deadline leaves time;
 * and a subgraph that keeps failing is not called at all while its circuit is open.
 * Identical queries in flight at once share one call.
 */
export class SubgraphDataSource implements GraphQLDataSource<GatewayContext> {
  private readonly shared: SharedSubgraphCalls;
  private readonly target: SubgraphPost;

  constructor(
    readonly serviceName: string,
    /** Where the subgraph answers; read by the gateway's metrics as its routing URL. */
    readonly url: string,
    private readonly signer: GatewayTokenSigner,
    private readonly policy: SubgraphCallPolicy,
    /** Told each time a call joins an identical one in flight instead of being made. */
    onSharedCall: () => void = () => {},
  ) {
    this.shared = new SharedSubgraphCalls(policy.deduplicateQueries, onSharedCall);
    this.target = { serviceName, url, fetcher: policy.fetcher };
  }

  /** Calls the subgraph; a failed fetch of a client's operation answers with an error at each field it would have filled. */
  async process(request: SubgraphRequest): Promise<SubgraphResponse> {
    try {
      return await this.shared.callOrShare(request, () =>
        callWithRetries(this.policy, this.serviceName, request.request.query ?? '', () => this.send(request)),
      );
    } catch (error) {
      // Reported at the fields the fetch would have filled, so a client sees which are missing.
      const errors =
        'incomingRequestContext' in request && error instanceof GraphQLError
          ? errorsAtFetchedFields(error.toJSON(), { query: request.request.query, document: request.document, variables: request.request.variables })
          : undefined;
      if (errors === undefined) throw error;
      return { errors };
    }
  }

  /** One attempt: the request with the caller's headers, then what its answer tells the client request (changed entities, cache hint). */
  private async send(request: SubgraphRequest): Promise<SubgraphResponse> {
    // Headers the executor asks for (Apollo's asks for federated traces) go first; the gateway's own override them.
    const headers = new Headers();
    for (const [name, value] of request.request.http?.headers ?? []) headers.append(name, value);
    headers.set('content-type', 'application/json');
    await setCallerHeaders(headers, request.context, this.signer);
    if (!request.request.query) throw new Error('Missing query');
    const response = await postToSubgraph(this.target, request.request, headers);
    collectChangedEntities(response, request.context);
    restrictCachePolicy(request, response);
    return response;
  }
}
