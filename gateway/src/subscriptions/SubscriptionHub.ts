import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { FormattedExecutionResult, GraphQLFormattedError } from 'graphql';
import { ErrorCode } from '../../../lib/errors.js';
import type { GatewayTokenSigner } from '../../../lib/gatewayToken.js';
import { HttpError } from '../../../lib/http/HttpError.js';
import type { Logger } from '../../../lib/logger.js';
import type { SubscriptionSettings } from '../config.js';
import type { GatewayContext, SubscriptionSlot } from '../context.js';
import type { FastQueryPlanExecutor } from '../execution/queryPlans/FastQueryPlanExecutor.js';
import type { GatewayMetrics } from '../observability/GatewayMetrics.js';
import type { EdgePipeline } from '../plugins/EdgePipeline.js';
import type { SupergateOperation } from '../plugins/SupergatePlugin.js';
import { SharedUpstream, type SharedEvent, type UpstreamEvent } from './SharedUpstream.js';
import { SubscriptionStream, type ClientStream } from './SubscriptionStream.js';
import type { UpstreamSubscriptions } from './UpstreamSubscriptions.js';

export type SubscriptionProtocol = 'graphql-ws' | 'sse' | 'multipart';

/** Counts the subscriptions of one WebSocket connection. */
export interface ConnectionCount {
  active: number;
}

/** A GraphQL request arriving over a transport that can stream. */
export interface StreamRequest {
  /** The GraphQL request: `{ query, variables, operationName, extensions }`. */
  readonly body: unknown;
  /** Headers as the pipeline reads them: `authorization` is the caller's, however the transport carried it. */
  readonly headers: IncomingHttpHeaders;
  readonly clientAddress: string;
  readonly requestId: string;
  readonly protocol: SubscriptionProtocol;
  /** The WebSocket connection it came on, for the per-connection cap. */
  readonly connection?: ConnectionCount | undefined;
}

/** How a request over a streaming transport is answered: once (a query, a mutation, a refusal), or with a stream of events. */
export type StreamStart =
  | { readonly kind: 'answer'; readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: FormattedExecutionResult }
  | { readonly kind: 'stream'; readonly stream: ClientStream };

export interface SubscriptionHubOptions {
  readonly server: ApolloServer<GatewayContext>;
  readonly pipeline: EdgePipeline;
  readonly executor: FastQueryPlanExecutor;
  readonly upstream: UpstreamSubscriptions;
  readonly signer: GatewayTokenSigner;
  readonly limits: SubscriptionSettings;
  /** Builds a request's context, as for any request (request hooks included); a refusal is an `HttpError`. */
  readonly context: (headers: IncomingHttpHeaders, clientAddress: string, requestId: string) => Promise<GatewayContext>;
  /** Formats an event's errors as every answer's are (production masks internals). */
  readonly formatError: (formatted: GraphQLFormattedError, error?: unknown) => GraphQLFormattedError;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
}

/**
 * Runs subscriptions. Each request goes through Apollo Server and the edge
 * pipeline like any other (parsing, validation, limits, authorization, rate
 * limits), and the pipeline hands a subscription that passed to the hub
 * instead of executing it. The hub subscribes to the owning subgraph with the
 * primary fetch of the subscription's plan, and joins the rest of the plan
 * into each event as the client reads it.
 */
export class SubscriptionHub {
  private readonly live = new Set<SubscriptionStream<SharedEvent>>();
  private readonly upstreams = new Map<string, SharedUpstream>();
  private readonly perCaller = new Map<string, number>();
  private stopping = false;

  constructor(private readonly options: SubscriptionHubOptions) {
    options.pipeline.serveSubscriptions(async (requestContext, operation) => {
      const slot = operation.context.subscription;
      if (slot === undefined) throw new Error('a subscription reached execution without a transport that can stream it');
      slot.prepared = await options.executor.prepareSubscription(requestContext);
      slot.shareKey = shareKeyOf(requestContext.queryHash, operation);
      return { data: null };
    });
  }

  /** Answers one request over a streaming transport: a stream when it is a subscription that passed every check. */
  async start(request: StreamRequest): Promise<StreamStart> {
    if (this.stopping) return refusal(503, ErrorCode.ShuttingDown, 'The gateway is shutting down; subscribe again on another replica.');
    const slot: SubscriptionSlot = { prepared: undefined, shareKey: undefined };
    let context: GatewayContext;
    try {
      context = { ...(await this.options.context(request.headers, request.clientAddress, request.requestId)), subscription: slot };
    } catch (error) {
      if (error instanceof HttpError) return { kind: 'answer', status: error.status, headers: error.headers, body: errorBody(error.code, error.message) };
      throw error;
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    // JSON whatever the transport's own framing: Apollo's CSRF prevention reads it as the non-simple request it is, and answers it once, as JSON.
    headers.set('content-type', 'application/json');
    headers.set('accept', 'application/json');
    const response = await this.options.server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: 'POST', headers, search: '', body: request.body },
      context: async () => context,
    });
    const text = response.body.kind === 'complete' ? response.body.string : '';
    const answer = (text === '' ? {} : JSON.parse(text)) as FormattedExecutionResult;
    const { prepared, shareKey } = slot;
    if (prepared === undefined || shareKey === undefined) {
      const answerHeaders: Record<string, string> = {};
      for (const [name, value] of response.headers) answerHeaders[name] = value;
      return { kind: 'answer', status: response.status ?? 200, headers: answerHeaders, body: answer };
    }
    const capped = this.capExceeded(context.caller, request.connection);
    if (capped !== undefined) {
      this.options.metrics.subscriptionError(ErrorCode.SubscriptionLimitExceeded);
      return capped;
    }
    return { kind: 'stream', stream: this.subscribe(prepared, shareKey, context, request, answer.errors ?? []) };
  }

  /** Ends every subscription (the gateway is stopping) and refuses new ones. */
  stop(): void {
    this.stopping = true;
    for (const stream of [...this.live]) stream.end(errorBody(ErrorCode.ShuttingDown, 'The gateway is shutting down; subscribe again on another replica.'));
  }

  private subscribe(
    prepared: NonNullable<SubscriptionSlot['prepared']>,
    shareKey: string,
    context: GatewayContext,
    request: StreamRequest,
    standingErrors: readonly GraphQLFormattedError[],
  ): SubscriptionStream<SharedEvent> {
    const { metrics, logger, limits } = this.options;
    const { serviceName } = prepared;
    const { protocol, connection } = request;
    const { caller, viewer } = context;
    const upstream = this.upstreamFor(shareKey, prepared, context, standingErrors);
    let expiry: NodeJS.Timeout | undefined;
    const startedAt = Date.now();
    const stream: SubscriptionStream<SharedEvent> = new SubscriptionStream<SharedEvent>({
      capacity: limits.bufferEvents,
      complete: async (event) => {
        const result = await event();
        metrics.subscriptionEvent(serviceName, protocol);
        return result;
      },
      overflow: () => {
        metrics.subscriptionEventDropped(serviceName, 'buffer_overflow');
        return errorBody(
          ErrorCode.SubscriptionBufferOverflow,
          `The subscription fell more than ${limits.bufferEvents} events behind and was ended; subscribe again.`,
          {
            limit: 'SUBSCRIPTION_BUFFER_EVENTS',
          },
        );
      },
      onEnd: (ending) => {
        upstream.remove(stream);
        if (expiry !== undefined) clearTimeout(expiry);
        this.live.delete(stream);
        const remaining = (this.perCaller.get(caller) ?? 1) - 1;
        if (remaining <= 0) this.perCaller.delete(caller);
        else this.perCaller.set(caller, remaining);
        if (connection !== undefined) connection.active -= 1;
        metrics.subscriptionEnded(serviceName, protocol);
        const code = ending?.errors?.[0]?.extensions?.['code'];
        if (typeof code === 'string') metrics.subscriptionError(code);
        logger.info(
          {
            requestId: context.requestId,
            subgraph: serviceName,
            protocol,
            caller,
            durationMs: Date.now() - startedAt,
            ...(typeof code === 'string' ? { code } : {}),
          },
          'subscription ended',
        );
      },
    });
    upstream.add(stream);
    this.live.add(stream);
    this.perCaller.set(caller, (this.perCaller.get(caller) ?? 0) + 1);
    if (connection !== undefined) connection.active += 1;
    metrics.subscriptionStarted(serviceName, protocol);
    logger.info({ requestId: context.requestId, subgraph: serviceName, protocol, caller, shared: upstream.size > 1 }, 'subscription started');
    if (viewer?.expiresAt !== undefined) {
      const end = (): void => stream.end(errorBody(ErrorCode.Unauthenticated, 'The access token has expired; subscribe again with a fresh one.'));
      const remaining = viewer.expiresAt - Date.now();
      if (remaining <= 0) end();
      // Timers hold at most about 24.8 days; a token living longer is checked again then.
      else expiry = setTimeout(end, Math.min(remaining, 2 ** 31 - 1)).unref();
    }
    return stream;
  }

  /**
   * The upstream subscription of `shareKey`, started now when none is running.
   * Subscribers share one only when the key says their answers are the same:
   * the document to run (after authorization), its variables, the caller's
   * identity and scopes, and the headers forwarded to subgraphs.
   */
  private upstreamFor(
    shareKey: string,
    prepared: NonNullable<SubscriptionSlot['prepared']>,
    context: GatewayContext,
    standingErrors: readonly GraphQLFormattedError[],
  ): SharedUpstream {
    const running = this.upstreams.get(shareKey);
    if (running !== undefined && !running.ended) return running;
    const { serviceName } = prepared;
    const { viewer } = context;
    const upstream = new SharedUpstream({
      subscribe: async (sink) => {
        const identityToken = await this.options.signer.sign(viewer?.sub ?? null, viewer?.scopes ?? []);
        return this.options.upstream.subscribe(serviceName, { ...prepared.request, identityToken }, sink);
      },
      complete: (event) => this.completeEvent(prepared, event, standingErrors),
      refused: (errors) => ({ errors: errors.map((error) => this.formatSubgraphError(asFormattedError(error), serviceName)) }),
      lost: () => {
        this.options.metrics.subscriptionEventDropped(serviceName, 'subgraph_unavailable');
        return errorBody(
          ErrorCode.SubgraphUnavailable,
          `The connection to subgraph ${serviceName} was lost; events may have been missed, so subscribe again.`,
          {
            serviceName,
          },
        );
      },
      onEnded: () => {
        if (this.upstreams.get(shareKey) === upstream) this.upstreams.delete(shareKey);
      },
    });
    this.upstreams.set(shareKey, upstream);
    upstream.start();
    return upstream;
  }

  private async completeEvent(
    prepared: NonNullable<SubscriptionSlot['prepared']>,
    event: UpstreamEvent,
    standingErrors: readonly GraphQLFormattedError[],
  ): Promise<FormattedExecutionResult> {
    const subgraphErrors = event.errors ?? [];
    let result;
    try {
      result = await prepared.complete(event.data);
    } catch (error) {
      this.options.logger.error({ err: error }, 'a subscription event could not be completed');
      return errorBody(ErrorCode.InternalServerError, 'Internal server error');
    }
    const errors = [
      ...standingErrors,
      ...subgraphErrors.map((error) => this.formatSubgraphError(error, prepared.serviceName)),
      ...(result.errors ?? []).map((error) => this.options.formatError(withoutHttp(error.toJSON()), error)),
    ];
    return { ...(errors.length === 0 ? {} : { errors }), data: (result.data ?? null) as Record<string, unknown> | null };
  }

  private formatSubgraphError(error: GraphQLFormattedError, serviceName: string): GraphQLFormattedError {
    return this.options.formatError(withoutHttp({ ...error, extensions: { ...error.extensions, serviceName } }));
  }

  private capExceeded(caller: string, connection: ConnectionCount | undefined): StreamStart | undefined {
    const { limits } = this.options;
    const over = (variable: string, limit: number, what: string): StreamStart =>
      refusal(429, ErrorCode.SubscriptionLimitExceeded, `${what} already ${limit === 1 ? 'has' : 'have'} ${limit} subscriptions, the most allowed.`, {
        limit: variable,
      });
    if (connection !== undefined && connection.active >= limits.maxPerConnection)
      return over('SUBSCRIPTIONS_MAX_PER_CONNECTION', limits.maxPerConnection, 'This connection');
    if ((this.perCaller.get(caller) ?? 0) >= limits.maxPerCaller) return over('SUBSCRIPTIONS_MAX_PER_CALLER', limits.maxPerCaller, 'This caller');
    if (this.live.size >= limits.max) return over('SUBSCRIPTIONS_MAX', limits.max, 'This gateway');
    return undefined;
  }
}

/** Subscriptions with equal keys get equal answers, so they may share one upstream subscription and one join per event. */
function shareKeyOf(queryHash: string, operation: SupergateOperation): string {
  const { viewer, forwardedHeaders } = operation.context;
  const identity = viewer === null ? null : [viewer.sub, [...viewer.scopes].sort()];
  return createHash('sha256')
    .update(JSON.stringify([queryHash, operation.operationName, operation.variables, identity, forwardedHeaders]))
    .digest('base64url');
}

/** What a subgraph sent in an `error` message, read as a GraphQL error whatever its shape. */
function asFormattedError(error: unknown): GraphQLFormattedError {
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') return error as GraphQLFormattedError;
  return { message: 'The subgraph refused the subscription.' };
}

function withoutHttp(error: GraphQLFormattedError): GraphQLFormattedError {
  if (error.extensions?.['http'] === undefined) return error;
  const { http: _http, ...extensions } = error.extensions;
  return { ...error, extensions };
}

export function errorBody(code: string, message: string, extensions: Record<string, unknown> = {}): FormattedExecutionResult {
  return { errors: [{ message, extensions: { code, ...extensions } }] };
}

function refusal(status: number, code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): StreamStart {
  return { kind: 'answer', status, headers: {}, body: errorBody(code, message, extensions) };
}
