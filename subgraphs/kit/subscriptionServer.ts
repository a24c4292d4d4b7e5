import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  createSourceEventStream,
  execute,
  getOperationAST,
  GraphQLError,
  OperationTypeNode,
  parse,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import type { ExecutionResult as SentResult } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { ErrorCode, GraphQLErrorWithCode } from '../../lib/errors.js';
import { GATEWAY_TOKEN_HEADER, type VouchedIdentity } from '../../lib/gatewayToken.js';
import type { GatewayTokenVerifier } from '../../lib/GatewayTokenVerifier.js';
import { BUFFER_OVERFLOW } from './eventBus.js';

/** Largest WebSocket message a subgraph reads, as its HTTP bodies. */
export const MAX_SUBSCRIPTION_MESSAGE_BYTES = 1024 * 1024;

/** Subscriptions one connection may hold at once; the gateway multiplexes its callers over few connections. */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 10_000;

/** Lexical tokens a subscription document may have, as the gateway's own limit. */
const MAX_DOCUMENT_TOKENS = 15_000;

export interface SubscriptionServerOptions<TContext> {
  readonly schema: GraphQLSchema;
  readonly identities: GatewayTokenVerifier;
  /** Builds a context for the caller; called at subscribe time and again for each event. */
  readonly createContext: (identity: VouchedIdentity) => TContext;
  readonly production: boolean;
  /** The path WebSocket upgrades are accepted on. @default '/graphql' */
  readonly path?: string;
  /** Told when a subscription starts listening (+1) and when it ends (-1). */
  readonly onActiveChange?: (delta: 1 | -1) => void;
}

export interface SubscriptionServer {
  /** Closes every connection with 1001 (going away), waiting at most `graceMs` for their closing handshakes. */
  close(graceMs: number): Promise<void>;
}

/**
 * Serves GraphQL subscriptions on `httpServer`'s WebSocket upgrades at `/graphql`
 * (graphql-transport-ws). `connection_init` carries, under `supergate-gateway-token`,
 * a token the gateway signs as itself: without a valid one the socket is closed
 * with 4403. Each `subscribe` carries the caller's identity token in
 * `extensions["supergate-gateway-token"]`: without a valid one it is refused with
 * UNAUTHENTICATED. Every event is executed with a context of its own, so no
 * DataLoader cache carries one event's data into the next.
 */
export function attachSubscriptionServer<TContext>(httpServer: Server, options: SubscriptionServerOptions<TContext>): SubscriptionServer {
  const path = options.path ?? '/graphql';
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_SUBSCRIPTION_MESSAGE_BYTES });
  // Who each subscription's context belongs to, so each event gets a fresh context for the same caller.
  const callers = new WeakMap<object, VouchedIdentity>();

  const server = useServer(
    {
      schema: options.schema,
      onConnect: async (ctx) => {
        const payload = ctx.connectionParams;
        const token = payload?.[GATEWAY_TOKEN_HEADER];
        return (await options.identities.verify(typeof token === 'string' ? token : undefined)) !== null;
      },
      onSubscribe: async (ctx, _id, payload): Promise<ExecutionArgs | readonly GraphQLError[]> => {
        if (Object.keys(ctx.subscriptions).length > MAX_SUBSCRIPTIONS_PER_CONNECTION) {
          return [
            new GraphQLErrorWithCode(ErrorCode.QueryTooComplex, `A connection may hold at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions.`, {
              extensions: { limit: 'subscriptions', max: MAX_SUBSCRIPTIONS_PER_CONNECTION },
            }),
          ];
        }
        const token = payload.extensions?.[GATEWAY_TOKEN_HEADER];
        const identity = await options.identities.verify(typeof token === 'string' ? token : undefined);
        if (identity === null) {
          return [new GraphQLErrorWithCode(ErrorCode.Unauthenticated, 'A subscription needs the caller identity the gateway signs, in extensions.')];
        }
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxLexicalTokens: MAX_DOCUMENT_TOKENS });
        } catch (error) {
          return [new GraphQLErrorWithCode(ErrorCode.GraphQLParseFailed, error instanceof GraphQLError ? error.message : 'The document does not parse.')];
        }
        const invalid = validate(options.schema, document);
        if (invalid.length > 0) return invalid.map((error) => new GraphQLErrorWithCode(ErrorCode.GraphQLValidationFailed, error.message));
        if (getOperationAST(document, payload.operationName)?.operation !== OperationTypeNode.SUBSCRIPTION) {
          return [
            new GraphQLErrorWithCode(ErrorCode.OperationNotSupported, 'Only subscriptions are served over WebSocket; send queries and mutations over HTTP.'),
          ];
        }
        const contextValue = options.createContext(identity);
        if (typeof contextValue === 'object' && contextValue !== null) callers.set(contextValue, identity);
        return { schema: options.schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
      },
      subscribe: async (args) => {
        const source = await createSourceEventStream(args);
        if (!isAsyncIterator(source)) return source as ExecutionResult;
        const caller = typeof args.contextValue === 'object' && args.contextValue !== null ? callers.get(args.contextValue) : undefined;
        const perEvent = (): unknown => (caller === undefined ? args.contextValue : options.createContext(caller));
        options.onActiveChange?.(1);
        return mapEvents(
          source,
          async (event) => {
            if (event === BUFFER_OVERFLOW) {
              return {
                errors: [
                  new GraphQLErrorWithCode(
                    ErrorCode.SubscriptionBufferOverflow,
                    'This subscription fell too far behind its events and was ended; subscribe again and re-read the current state.',
                  ),
                ],
              };
            }
            return execute({ ...args, rootValue: event, contextValue: perEvent() });
          },
          () => options.onActiveChange?.(-1),
        );
      },
      onNext: (_ctx, _id, _payload, _args, result) => (options.production ? masked(result) : undefined),
    },
    sockets,
  );

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if ((req.url ?? '/').split('?', 1)[0] !== path) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => sockets.emit('connection', ws, req));
  };
  httpServer.on('upgrade', onUpgrade);

  return {
    async close(graceMs) {
      httpServer.off('upgrade', onUpgrade);
      const disposed = server.dispose();
      const timer = setTimeout(() => {
        for (const client of sockets.clients) client.terminate();
      }, graceMs);
      try {
        await disposed;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function isAsyncIterator(value: unknown): value is AsyncIterator<unknown> & AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/**
 * `source` with `map` applied to each value, ending when it ends. Written out
 * rather than as an async generator: a generator's `return` waits for the
 * pending `next`, so a subscription that sees no events could never be ended.
 */
function mapEvents<T, R>(source: AsyncIterator<T>, map: (value: T) => Promise<R>, onEnd: () => void): AsyncGenerator<R, undefined> {
  let ended = false;
  const end = async (): Promise<IteratorResult<R, undefined>> => {
    if (!ended) {
      ended = true;
      onEnd();
      await source.return?.();
    }
    return { value: undefined, done: true };
  };
  const iterator: AsyncGenerator<R, undefined> = {
    async next() {
      if (ended) return { value: undefined, done: true };
      const result = await source.next();
      if (result.done === true) return end();
      return { value: await map(result.value), done: false };
    },
    return: end,
    async throw(error: unknown) {
      await end();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

/** Errors thrown by something other than a GraphQL error (a driver, a bug) lose their message in production, as Apollo masks them on HTTP. */
function masked(result: SentResult): FormattedExecutionResult | undefined {
  if (result.errors === undefined) return undefined;
  return {
    ...(result.data === undefined ? {} : { data: result.data }),
    ...(result.extensions === undefined ? {} : { extensions: result.extensions }),
    errors: result.errors.map((error) =>
      error.originalError === undefined || error.originalError instanceof GraphQLError
        ? error.toJSON()
        : new GraphQLErrorWithCode(ErrorCode.InternalServerError, 'Internal server error', { path: error.path ?? [] }).toJSON(),
    ),
  };
}
