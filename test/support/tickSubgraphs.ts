import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLSchema } from 'graphql';
import { PubSub } from 'graphql-subscriptions';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { GATEWAY_TOKEN_HEADER } from '../../lib/gatewayToken.js';
import { graphqlRequestListener } from '../../lib/http/graphqlRequestListener.js';

/** Owns `Subscription.ticked`: each `publish(seq)` is one event of every subscriber. */
export const TICKS_SDL = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])
  type Tick @key(fields: "id") { id: ID! seq: Int! blob(size: Int!): String! }
  type Query { lastTick: Tick }
  type Subscription { ticked(every: Int): Tick! }
`);

/** Joins `Tick.label` into each event, so every event needs a second subgraph. */
export const LABELS_SDL = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Tick @key(fields: "id") { id: ID! label: String! }
`);

/** A subgraph served over HTTP and graphql-transport-ws on one port, which a test can stop and start again on the same port. */
export interface FixtureSubgraph {
  readonly url: string;
  /** What each `subscribe` message carried in `extensions`, in order. */
  readonly subscribeExtensions: Record<string, unknown>[];
  /** Entity fetches it answered, and the ids each fetched. */
  readonly entityFetches: { count: number; ids: string[] };
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startTickSubgraph(pubsub: PubSub): Promise<FixtureSubgraph> {
  const schema = buildSubgraphSchema({
    typeDefs: TICKS_SDL,
    resolvers: {
      Query: { lastTick: () => null },
      Subscription: {
        ticked: {
          subscribe: () => pubsub.asyncIterableIterator('tick'),
          resolve: (payload: { seq: number }) => ({ id: String(payload.seq), seq: payload.seq }),
        },
      },
      Tick: {
        __resolveReference: ({ id }: { id: string }) => ({ id, seq: Number(id) }),
        blob: (_tick: unknown, { size }: { size: number }) => 'x'.repeat(size),
      },
    },
  });
  return serveFixture(schema);
}

export async function startLabelSubgraph(): Promise<FixtureSubgraph> {
  let served: FixtureSubgraph | undefined = undefined;
  const schema = buildSubgraphSchema({
    typeDefs: LABELS_SDL,
    resolvers: {
      Tick: {
        __resolveReference: ({ id }: { id: string }) => {
          if (served !== undefined) {
            served.entityFetches.count += 1;
            served.entityFetches.ids.push(id);
          }
          return { id, label: `tick ${id}` };
        },
      },
    },
  });
  served = await serveFixture(schema);
  return served;
}

async function serveFixture(schema: GraphQLSchema): Promise<FixtureSubgraph> {
  const apollo = new ApolloServer({ schema });
  await apollo.start();
  const listener = graphqlRequestListener(apollo, { maxBodyBytes: 1024 * 1024, context: async () => ({}) });
  const subscribeExtensions: Record<string, unknown>[] = [];
  const entityFetches = { count: 0, ids: [] as string[] };
  let port = 0;
  let http: Server | undefined;
  let wss: WebSocketServer | undefined;
  const start = async (): Promise<void> => {
    const server = createServer(listener);
    const sockets = new WebSocketServer({ server, path: '/graphql' });
    useServer(
      {
        schema,
        onConnect: (ctx) => typeof ctx.connectionParams?.[GATEWAY_TOKEN_HEADER] === 'string',
        onSubscribe: (_ctx, _id, payload) => {
          subscribeExtensions.push({ ...payload.extensions });
        },
      },
      sockets,
    );
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    http = server;
    wss = sockets;
  };
  await start();
  return {
    get url() {
      return `http://127.0.0.1:${port}/graphql`;
    },
    subscribeExtensions,
    entityFetches,
    start,
    stop: async () => {
      for (const client of wss?.clients ?? []) client.terminate();
      wss?.close();
      http?.closeAllConnections();
      await new Promise<void>((resolve) => (http === undefined ? resolve() : http.close(() => resolve())));
    },
  };
}
