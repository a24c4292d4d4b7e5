import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GATEWAY_TOKEN_HEADER, type GatewayTokenSigner } from '../../lib/gatewayToken.js';
import type { GatewayContext } from './context.js';
import { ErrorCode, GraphQLErrorWithCode, UnreachableCaseError } from './errors.js';
import type { CircuitBreaker } from './resilience/CircuitBreaker.js';
import { classifyFailure, isAvailabilityFailure, mayRetry, type SubgraphFailure } from './resilience/retryPolicy.js';
import type { SubgraphCallPolicy } from './resilience/SubgraphCalls.js';

type SubgraphResponse = ReturnType<RemoteGraphQLDataSource<GatewayContext>['process']>;
type ReceivedResponse = Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['didReceiveResponse']>>[0];

/** A failed call, remembering how it failed for the retry and the breaker. */
class SubgraphCallError extends GraphQLErrorWithCode {
  constructor(
    readonly failure: SubgraphFailure,
    code: ErrorCode,
    message: string,
    serviceName: string,
    originalError: Error,
  ) {
    super(code, message, { extensions: { serviceName }, originalError });
  }
}

/**
 * Calls one subgraph. Failures to reach it, or HTTP failures, become errors
 * with a stable code and the service's name, never its URL or response body.
 * Each call has a timeout; a query that could not reach the subgraph is sent
 * once more; and a subgraph that keeps failing is not called at all while its
 * circuit is open.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly breaker: CircuitBreaker;

  constructor(
    readonly serviceName: string,
    url: string,
    private readonly signer: GatewayTokenSigner,
    policy: SubgraphCallPolicy,
  ) {
    super({ url, fetcher: policy.fetcher });
    this.breaker = policy.breaker;
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): SubgraphResponse {
    for (let attempt = 1; ; attempt += 1) {
      if (!this.breaker.tryAcquire()) {
        throw new GraphQLErrorWithCode(ErrorCode.SubgraphUnavailable, `The ${this.serviceName} service is unavailable.`, {
          extensions: { serviceName: this.serviceName },
        });
      }
      try {
        const response = await super.process(options);
        this.breaker.recordSuccess();
        return response;
      } catch (error) {
        // Anything but a timeout or an unreachable subgraph means it answered, so it is there.
        const failure = error instanceof SubgraphCallError ? error.failure : 'answered';
        if (isAvailabilityFailure(failure)) this.breaker.recordFailure();
        else this.breaker.recordSuccess();
        if (!mayRetry(options.request.query ?? '', failure, attempt)) throw error;
      }
    }
  }

  /**
   * Only allow-listed client headers are forwarded; the caller's identity travels
   * only as the gateway's signed token, which replaces any client-sent copy.
   */
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (headers === undefined) return;
    // Context is absent for the gateway's own requests (health checks); they go as anonymous.
    if ('forwardedHeaders' in context) {
      const { forwardedHeaders, requestId } = context as GatewayContext;
      for (const [name, value] of Object.entries(forwardedHeaders)) headers.set(name, value);
      headers.set('x-request-id', requestId);
    }
    const viewer = 'viewer' in context ? context.viewer : null;
    headers.set(GATEWAY_TOKEN_HEADER, this.signer.sign(viewer?.sub ?? null, viewer?.scopes ?? []));
  }

  /** Collects the entities a subgraph's mutation changed, so the response cache can purge answers holding them. */
  override didReceiveResponse({ response, context }: ReceivedResponse): Awaited<SubgraphResponse> {
    const changed = response.extensions?.['changedEntities'];
    if (Array.isArray(changed) && 'changedEntities' in context) {
      const { changedEntities } = context as GatewayContext;
      for (const tag of changed) if (typeof tag === 'string') changedEntities.add(tag);
    }
    return response;
  }

  override didEncounterError(error: Error, _fetchRequest: unknown, fetchResponse: { status: number } | undefined): void {
    if (error instanceof GraphQLErrorWithCode) throw error;
    const status = fetchResponse?.status;
    const failure = classifyFailure(error, status);
    switch (failure) {
      case 'timeout':
        throw new SubgraphCallError(failure, ErrorCode.SubgraphTimeout, `The ${this.serviceName} service did not answer in time.`, this.serviceName, error);
      case 'unreachable':
        throw new SubgraphCallError(failure, ErrorCode.SubgraphUnavailable, `The ${this.serviceName} service is unavailable.`, this.serviceName, error);
      case 'answered':
        if (status === 401 || status === 403) {
          throw new SubgraphCallError(failure, ErrorCode.SubgraphError, `The ${this.serviceName} service refused the gateway's request.`, this.serviceName, error);
        }
        throw new SubgraphCallError(failure, ErrorCode.SubgraphError, `The ${this.serviceName} service failed (HTTP ${status}).`, this.serviceName, error);
      default:
        throw new UnreachableCaseError(failure);
    }
  }
}
