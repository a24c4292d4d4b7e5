import { setTimeout } from 'node:timers/promises';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { ErrorCode, GraphQLErrorWithCode, UnreachableCaseError } from '../../lib/errors.js';
import { GATEWAY_TOKEN_HEADER, type GatewayTokenSigner } from '../../lib/gatewayToken.js';
import type { GatewayContext } from './context.js';
import type { CircuitBreaker } from './resilience/CircuitBreaker.js';
import { errorsAtFetchedFields } from './resilience/fetchFailureErrors.js';
import { InflightQueries } from './resilience/InflightQueries.js';
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
 * Each call has one deadline, retries included; a query that could not reach the
 * subgraph is sent once more after a jittered backoff if the deadline leaves time;
 * and a subgraph that keeps failing is not called at all while its circuit is open.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly breaker: CircuitBreaker;
  private readonly deduplicateQueries: boolean;
  private readonly policy: SubgraphCallPolicy;
  /** Noted with the cache epoch the starting request fetches under. */
  private readonly inflight = new InflightQueries<Awaited<SubgraphResponse>, number>();

  constructor(
    readonly serviceName: string,
    url: string,
    private readonly signer: GatewayTokenSigner,
    policy: SubgraphCallPolicy,
    /** Told each time a call joins an identical one in flight instead of being made. */
    private readonly onSharedCall: () => void = () => {},
  ) {
    super({ url, fetcher: policy.fetcher });
    this.breaker = policy.breaker;
    this.deduplicateQueries = policy.deduplicateQueries;
    this.policy = policy;
  }

  /** Calls the subgraph; a failed fetch of a client's operation answers with an error at each field it would have filled. */
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): SubgraphResponse {
    try {
      return await this.callOrShare(options);
    } catch (error) {
      // Reported at the fields the fetch would have filled, so a client sees which are missing.
      const errors =
        'incomingRequestContext' in options && error instanceof GraphQLError
          ? errorsAtFetchedFields(error.toJSON(), { query: options.request.query, document: options.document, variables: options.request.variables })
          : undefined;
      if (errors === undefined) throw error;
      return { errors };
    }
  }

  /**
   * Identical subgraph queries in flight at once (same query, variables,
   * caller and forwarded headers) share one call. The caller that started it
   * gets the answer; each one that joined gets its own copy, its cache policy
   * narrowed by the answer's hint as if it had made the call itself, and the
   * call's cache epoch, since its answer is as old as the call.
   */
  private async callOrShare(options: GraphQLDataSourceProcessOptions<GatewayContext>): SubgraphResponse {
    const key = this.deduplicateQueries ? sharedCallKey(options) : undefined;
    if (key === undefined) return this.call(options);
    const fetchEpoch = (options.context as Partial<GatewayContext>).fetchEpoch;
    const { result, shared, startedWith } = this.inflight.run(key, () => this.call(options), fetchEpoch?.startedUnder);
    if (!shared) return result;
    this.onSharedCall();
    fetchEpoch?.joined(startedWith);
    // Copied as soon as the call settles, before the starter's query plan merges into the original.
    const response = await result.then(copyOf);
    if ('incomingRequestContext' in options) restrictCachePolicy(options.incomingRequestContext.overallCachePolicy, response);
    return response;
  }

  private call(options: GraphQLDataSourceProcessOptions<GatewayContext>): SubgraphResponse {
    return this.policy.withinDeadline(async (deadline) => {
      for (let attempt = 1; ; attempt += 1) {
        const permit = this.breaker.tryAcquire();
        if (permit === undefined) {
          throw new GraphQLErrorWithCode(ErrorCode.SubgraphUnavailable, `The ${this.serviceName} service is unavailable.`, {
            extensions: { serviceName: this.serviceName },
          });
        }
        try {
          const response = await super.process(options);
          this.breaker.recordSuccess(permit);
          return response;
        } catch (error) {
          // Anything but a timeout or an unreachable subgraph means it answered, so it is there.
          const failure = error instanceof SubgraphCallError ? error.failure : 'answered';
          if (isAvailabilityFailure(failure)) this.breaker.recordFailure(permit);
          else this.breaker.recordSuccess(permit);
          if (!mayRetry(options.request.query ?? '', failure, attempt)) throw error;
          const delayMs = this.policy.retryDelayMs(attempt);
          if (!deadline.allowsAttemptAfter(delayMs)) throw error;
          await setTimeout(delayMs);
        }
      }
    });
  }

  /**
   * Only allow-listed client headers are forwarded; the caller's identity travels
   * only as the gateway's signed token, which replaces any client-sent copy.
   */
  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const headers = request.http?.headers;
    if (headers === undefined) return;
    // Context is absent for the gateway's own requests (health checks); they go as anonymous.
    if ('forwardedHeaders' in context) {
      const { forwardedHeaders, requestId } = context as GatewayContext;
      for (const [name, value] of Object.entries(forwardedHeaders)) headers.set(name, value);
      headers.set('x-request-id', requestId);
    }
    const viewer = 'viewer' in context ? context.viewer : null;
    headers.set(GATEWAY_TOKEN_HEADER, await this.signer.sign(viewer?.sub ?? null, viewer?.scopes ?? []));
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

/** The key concurrent identical calls share, or undefined when the call must be made on its own (anything in a mutation). */
function sharedCallKey(options: GraphQLDataSourceProcessOptions<GatewayContext>): string | undefined {
  if (!('incomingRequestContext' in options) || options.incomingRequestContext.operation?.operation !== 'query') return undefined;
  const { query, variables } = options.request;
  if (query === undefined) return undefined;
  const context = options.context as Partial<GatewayContext>;
  const viewer = context.viewer ?? null;
  // Everything that can change a subgraph's answer: what is asked, and who asks with which headers.
  return JSON.stringify([query, variables ?? {}, viewer?.sub ?? null, viewer === null ? [] : [...viewer.scopes].sort(), context.forwardedHeaders ?? {}]);
}

/** Narrows a caller's cache policy by a shared answer's Cache-Control, as @apollo/gateway does for an answer it fetched. */
function restrictCachePolicy(policy: unknown, response: Awaited<SubgraphResponse>): void {
  if (typeof policy !== 'object' || policy === null || !('restrict' in policy)) return;
  const header = response.http?.headers.get('cache-control') ?? '';
  const maxAge = /(?:^|,)\s*max-age=(\d+)/i.exec(header)?.[1];
  const scope = /(?:^|,)\s*private\b/i.test(header) ? 'PRIVATE' : /(?:^|,)\s*public\b/i.test(header) ? 'PUBLIC' : undefined;
  (policy as { restrict(hint: { maxAge: number; scope?: string }): void }).restrict({ maxAge: maxAge === undefined ? 0 : Number(maxAge), ...(scope === undefined ? {} : { scope }) });
}

/** The query plan merges fetched objects into the caller's answer in place, so no two callers may hold the same objects. */
function copyOf(response: Awaited<SubgraphResponse>): Awaited<SubgraphResponse> {
  const copy = { ...response };
  if (response.data !== undefined) copy.data = structuredClone(response.data);
  if (response.errors !== undefined) copy.errors = structuredClone(response.errors);
  if (response.extensions !== undefined) copy.extensions = structuredClone(response.extensions);
  return copy;
}
