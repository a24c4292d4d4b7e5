import type { IncomingHttpHeaders, IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { buildSchema, GraphQLError, parse, type ExecutionResult, type FormattedExecutionResult, type GraphQLFormattedError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { HttpError } from '../../../lib/http/HttpError.js';
import type { Logger } from '../../../lib/logger.js';
import { connectionAuthorization } from './connectionAuthorization.js';
import { cutWhenUndelivered } from './finalDelivery.js';
import type { ConnectionCount, StreamStart, SubscriptionHub } from './SubscriptionHub.js';
import type { ClientStream, StreamItem } from './SubscriptionStream.js';

export interface GraphqlWsEndpointOptions {
  readonly hub: SubscriptionHub;
  /** The path WebSocket upgrades are accepted on. @default '/graphql' */
  readonly path?: string | undefined;
  /** Whether a browser page of this origin may open a connection; requests without `Origin` (not from a browser) always may. */
  readonly originAllowed: (origin: string) => boolean;
  /** Checks the caller a connection's headers prove, as the HTTP path does; a refusal is an `HttpError`. */
  readonly checkCaller: (headers: IncomingHttpHeaders, req: IncomingMessage) => Promise<void>;
  readonly clientAddress: (req: IncomingMessage) => string;
  readonly requestId: (req: IncomingMessage) => string;
  /** Largest message a client may send. */
  readonly maxPayloadBytes: number;
  readonly logger: Logger;
}

/** What the endpoint knows of one connection once `connection_init` was accepted. */
interface Connection {
  readonly headers: IncomingHttpHeaders;
  readonly count: ConnectionCount;
}

// graphql-ws runs whatever onSubscribe returns; these only tell it which kind of operation it was.
const PLACEHOLDER_SCHEMA = buildSchema('type Query { _: Boolean } type Subscription { _: Boolean }');
const SUBSCRIPTION_DOCUMENT = parse('subscription { _ }');
const QUERY_DOCUMENT = parse('{ _ }');

/**
 * Serves graphql-transport-ws on `path` of `server`: the JWT comes from the
 * `connection_init` payload and is checked before anything is subscribed (a
 * bad one closes the socket with 4403), a browser page from an origin not on
 * the CORS allow-list cannot upgrade, and each `subscribe` goes through the
 * hub, so every edge check applies per subscription.
 */
export function serveGraphqlWs(server: Server, options: GraphqlWsEndpointOptions): { readonly close: (code: number, reason: string) => Promise<void> } {
  const path = options.path ?? '/graphql';
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes });
  const connections = new WeakMap<object, Connection>();
  const { hub } = options;

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const target = req.url ?? '/';
    const queryStart = target.indexOf('?');
    const origin = req.headers.origin;
    if ((queryStart === -1 ? target : target.slice(0, queryStart)) !== path) refuseUpgrade(socket, 404, 'Not Found');
    else if (origin !== undefined && !options.originAllowed(origin)) refuseUpgrade(socket, 403, 'Forbidden');
    else wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  server.on('upgrade', onUpgrade);

  const disposable = useServer<Record<string, unknown> | undefined, { connection: Connection }>(
    {
      schema: PLACEHOLDER_SCHEMA,
      connectionInitWaitTimeout: 3_000,
      onConnect: async (ctx) => {
        const { request } = ctx.extra;
        const authorization = connectionAuthorization(ctx.connectionParams);
        const { authorization: _fromUpgrade, ...upgradeHeaders } = request.headers;
        // Only the connection_init payload authenticates a WebSocket: browsers cannot set headers on it.
        const headers: IncomingHttpHeaders = authorization === undefined ? upgradeHeaders : { ...upgradeHeaders, authorization };
        try {
          await options.checkCaller(headers, request);
        } catch (error) {
          if (error instanceof HttpError) {
            if (error.status === 429) ctx.extra.socket.close(4429, 'Too many requests');
            return false;
          }
          throw error;
        }
        connections.set(ctx, { headers, count: { active: 0 } });
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        const connection = connections.get(ctx);
        if (connection === undefined) return [new GraphQLError('The connection is not initialised.')];
        const { request } = ctx.extra;
        const start = await hub.start({
          body: payload,
          headers: connection.headers,
          clientAddress: options.clientAddress(request),
          requestId: options.requestId(request),
          protocol: 'graphql-ws',
          connection: connection.count,
        });
        // A refusal, or a subscription the edge left nothing of: graphql-ws's `error` message.
        if (start.kind === 'answer' && (start.body.data === undefined || start.body.data === null) && (start.body.errors?.length ?? 0) > 0) {
          return (start.body.errors ?? []).map(asGraphQLError);
        }
        if (start.kind === 'stream') {
          cutWhenUndelivered(start.stream, () => {
            options.logger.warn('a WebSocket client did not read the end of its subscription; closing its connection');
            ctx.extra.socket.terminate();
          });
        }
        return { schema: PLACEHOLDER_SCHEMA, document: start.kind === 'stream' ? SUBSCRIPTION_DOCUMENT : QUERY_DOCUMENT, contextValue: start };
      },
      subscribe: (args) => asExecutionResults((args.contextValue as StreamStart & { kind: 'stream' }).stream),
      execute: (args) => asExecutionResult((args.contextValue as StreamStart & { kind: 'answer' }).body),
    },
    wss,
    12_000,
  );

  return {
    close: async (code, reason) => {
      server.off('upgrade', onUpgrade);
      for (const client of wss.clients) client.close(code, reason);
      await disposable.dispose();
    },
  };
}

/** The stream as graphql-ws sends it: each item one `next` message; its end, `complete`. */
function asExecutionResults(stream: ClientStream): AsyncIterableIterator<ExecutionResult> {
  return {
    async next() {
      const item: IteratorResult<StreamItem> = await stream.next();
      if (item.done === true) return { done: true, value: undefined };
      return { done: false, value: asExecutionResult(item.value.result) };
    },
    async return() {
      await stream.return();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** graphql-ws serialises each error with its toJSON, so formatted errors go back into GraphQLErrors that print as they were. */
function asExecutionResult(result: FormattedExecutionResult): ExecutionResult {
  const { errors, ...rest } = result;
  return { ...rest, ...(errors === undefined ? {} : { errors: errors.map(asGraphQLError) }) };
}

/** A formatted error as a GraphQLError whose toJSON gives it back unchanged. */
function asGraphQLError(formatted: GraphQLFormattedError): GraphQLError {
  const error = new GraphQLError(formatted.message, { path: formatted.path ?? null, extensions: formatted.extensions ?? {} });
  error.toJSON = () => formatted;
  return error;
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
