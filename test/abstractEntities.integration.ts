import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGatewayConfig } from '../gateway/src/config.js';
import { createSupergate, type Supergate } from '../gateway/src/supergate.js';
import { createLogger } from '../lib/logger.js';
import { postGraphQL } from './support/http.js';

const CACHE_CONTROL = `
  enum CacheControlScope { PUBLIC PRIVATE }
  directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION
`;

/** Notices: an interface in one subgraph, an @interfaceObject nobody can resolve in the other; items: an entity interface with keyed implementations. */
const catalog = {
  name: 'catalog',
  typeDefs: parse(`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@interfaceObject"])
    ${CACHE_CONTROL}
    interface Notice @key(fields: "id") { id: ID! }
    type Item @key(fields: "id", resolvable: false) @interfaceObject { id: ID! }
    type Query {
      notice: Notice @cacheControl(maxAge: 60)
      featured: Item! @cacheControl(maxAge: 60)
    }
  `),
  resolvers: {
    Query: { notice: () => ({ __typename: 'Notice', id: 'n1' }), featured: () => ({ __typename: 'Item', id: 'i1' }) },
    Notice: { __resolveReference: () => null },
  },
};

const store = {
  name: 'store',
  typeDefs: parse(`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@interfaceObject"])
    ${CACHE_CONTROL}
    type Notice @key(fields: "id", resolvable: false) @interfaceObject { id: ID! text: String @cacheControl(maxAge: 60) }
    interface Item @key(fields: "id") @cacheControl(maxAge: 60) { id: ID! }
    type Lamp implements Item @key(fields: "id") @cacheControl(maxAge: 60) { id: ID! watts: Int! @cacheControl(maxAge: 60) }
    type Query { pinned: Notice @cacheControl(maxAge: 60) }
  `),
  resolvers: {
    Query: { pinned: () => ({ __typename: 'Notice', id: 'n1' }) },
    Notice: { __resolveReference: () => null, text: () => 'Closed on Sunday' },
    Item: { __resolveReference: ({ id }: { id: string }) => ({ __typename: 'Lamp', id, watts: 40 }) },
    Lamp: { __resolveReference: ({ id }: { id: string }) => ({ id, watts: 40 }) },
  },
};

/**
 * The response cache adds __typename and key selections to every entity an
 * answer holds. On abstract types and interface objects those additions must
 * never change an answer: these are the shapes that once made planning fail.
 */
describe('the response cache over interfaces, interface objects and their entities', () => {
  const servers: ApolloServer[] = [];
  let gateway: Supergate;
  let gatewayUrl: string;
  let folder: string;

  beforeAll(async () => {
    const services = [];
    for (const subgraph of [catalog, store]) {
      const server = new ApolloServer({ schema: buildSubgraphSchema({ typeDefs: subgraph.typeDefs, resolvers: subgraph.resolvers }) });
      const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
      servers.push(server);
      services.push({ name: subgraph.name, url, typeDefs: subgraph.typeDefs });
    }
    const composed = composeServices(services);
    if (composed.errors !== undefined) throw new Error(composed.errors.map((error) => error.message).join('\n'));
    folder = mkdtempSync(join(tmpdir(), 'supergate-abstract-'));
    writeFileSync(join(folder, 'supergraph.graphql'), composed.supergraphSdl);
    const config = readGatewayConfig({
      NODE_ENV: 'test',
      PORT: '0',
      METRICS_PORT: '0',
      SUPERGRAPH_PATH: join(folder, 'supergraph.graphql'),
      RESPONSE_CACHE: 'on',
    });
    gateway = createSupergate({ config, logger: createLogger('gateway', 'silent') });
    gatewayUrl = await gateway.listen();
  });

  afterAll(async () => {
    await gateway?.stop();
    for (const server of servers) await server.stop();
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  });

  it('answers a keyed interface that the other subgraph knows as an @interfaceObject, and caches it', async () => {
    const first = await postGraphQL(gatewayUrl, '{ pinned { id text } }');
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ data: { pinned: { id: 'n1', text: 'Closed on Sunday' } } });
    const again = await postGraphQL(gatewayUrl, '{ pinned { id text } }');
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('x-cache')).toBe('HIT');
  });

  it('answers an interface whose implementations live in another subgraph, again and again', async () => {
    // The key selections added inside an interface object's selection make Apollo's policy for it no-store, so it is not
    // cached; what matters here is that the answer is the one the client asked for, every time.
    for (const text of ['{ featured { id ... on Lamp { watts } } }', '{ featured { id } }']) {
      const answers = [];
      for (let i = 0; i < 3; i += 1) answers.push(await postGraphQL(gatewayUrl, text));
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
      expect(answers.map((answer) => answer.body)).toEqual(
        Array(3).fill({ data: { featured: text.includes('watts') ? { id: 'i1', watts: 40 } : { id: 'i1' } } }),
      );
    }
  });

  it('runs a client operation that uses the reserved aliases itself, unchanged and uncached', async () => {
    const text = '{ pinned { _supergateTypename: text } }';
    const first = await postGraphQL(gatewayUrl, text);
    expect(first.body).toEqual({ data: { pinned: { _supergateTypename: 'Closed on Sunday' } } });
    expect((await postGraphQL(gatewayUrl, text)).headers.get('x-cache')).toBe('MISS');
  });
});
