import type { FormattedExecutionResult } from 'graphql';
import { createClient, type Client, type Sink } from 'graphql-ws';
import WebSocket from 'ws';
import { GATEWAY_TOKEN_HEADER } from '../../../lib/gatewayToken.js';

/** What the gateway asks a subgraph to subscribe to: the primary fetch of a subscription's plan, and the caller's identity token. */
export interface UpstreamRequest {
  readonly query: string;
  readonly variables: Record<string, unknown>;
  readonly operationName: string | undefined;
  /** The gateway-signed identity of the caller, checked by the subgraph at subscribe time. */
  readonly identityToken: string;
}

export interface UpstreamSubscriptionsOptions {
  /** The subgraph's HTTP routing URL, by name; its WebSocket endpoint is the same URL with ws: or wss:. */
  readonly urlOf: (serviceName: string) => string | undefined;
  /** A token the gateway signs as itself, sent in each connection's `connection_init`. */
  readonly connectionToken: () => Promise<string>;
  /** How often the connection is pinged, so a subgraph that vanished without closing is noticed. @default 10000 */
  readonly keepAliveMs?: number | undefined;
}

/**
 * The gateway's WebSocket connections to subgraphs (graphql-transport-ws):
 * one per subgraph per process, opened on the first subscription and shared
 * by all of them. A connection is never silently re-established under live
 * subscriptions: events sent while it was down are lost, so each of its
 * subscriptions is told (`sink.error`) and the client resubscribes.
 */
export class UpstreamSubscriptions {
  private readonly clients = new Map<string, { readonly url: string; readonly client: Client }>();

  constructor(private readonly options: UpstreamSubscriptionsOptions) {}

  /** Subscribes on `serviceName`'s connection; returns what unsubscribes. Throws when the subgraph has no URL. */
  subscribe(serviceName: string, request: UpstreamRequest, sink: Sink<FormattedExecutionResult>): () => void {
    const client = this.clientFor(serviceName);
    return client.subscribe(
      {
        query: request.query,
        variables: request.variables,
        ...(request.operationName === undefined ? {} : { operationName: request.operationName }),
        extensions: { [GATEWAY_TOKEN_HEADER]: request.identityToken },
      },
      sink,
    );
  }

  /** Closes every connection (their subscriptions end with an error). */
  close(): void {
    for (const { client } of this.clients.values()) void client.dispose();
    this.clients.clear();
  }

  private clientFor(serviceName: string): Client {
    const httpUrl = this.options.urlOf(serviceName);
    if (httpUrl === undefined) throw new Error(`subgraph ${serviceName} has no routing URL`);
    const url = httpUrl.replace(/^http/i, 'ws');
    const existing = this.clients.get(serviceName);
    if (existing?.url === url) return existing.client;
    // The routing URL changed (a new supergraph): later subscriptions use the new one, live ones stay on the old.
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      lazy: true,
      lazyCloseTimeout: 1000,
      retryAttempts: 0,
      shouldRetry: () => false,
      keepAlive: this.options.keepAliveMs ?? 10_000,
      connectionParams: async () => ({ [GATEWAY_TOKEN_HEADER]: await this.options.connectionToken() }),
    });
    this.clients.set(serviceName, { url, client });
    return client;
  }
}
