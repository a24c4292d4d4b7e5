import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { composeServices } from '@apollo/composition';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchmarkDataSet, GATEWAYS_BENCHMARK_PATH, readGatewaysBenchmark, type DataSet } from './dataSet.js';
import { generatedDataSet } from './generatedDataSet.js';
import { SUBGRAPH_NAMES } from './resolvers.js';
import { subgraphTypeDefs } from './subgraphSchemas.js';
import { createSubgraphsServer } from './subgraphsServer.js';
import { supergraphAt } from './supergraph.js';
import { VARIED_QUERY, variedVariables } from './variedTraffic.js';

async function apiSchemaOf(supergraphSdl: string): Promise<string> {
  const gateway = new ApolloGateway({ supergraphSdl });
  try {
    return printSchema(lexicographicSortSchema((await gateway.load()).schema));
  } finally {
    await gateway.stop();
  }
}

/** The subgraphs server on a loopback port with stock @apollo/gateway in front of it, in process. */
async function startBenchmarkGraph(
  data: DataSet,
): Promise<{ run(query: string, variables?: Record<string, unknown>): Promise<Record<string, unknown>>; stop(): Promise<void> }> {
  const subgraphs = createSubgraphsServer(data);
  await new Promise<void>((resolve) => subgraphs.listen(0, '127.0.0.1', resolve));
  const { port } = subgraphs.address() as AddressInfo;
  const server = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl: supergraphAt(`http://127.0.0.1:${port}`) }) });
  await server.start();
  return {
    async run(query, variables) {
      const response = await server.executeOperation({ query, ...(variables === undefined ? {} : { variables }) });
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      expect(response.body.singleResult.errors).toBeUndefined();
      return response.body.singleResult.data ?? {};
    },
    async stop() {
      await server.stop();
      await new Promise<void>((resolve) => subgraphs.close(() => resolve()));
    },
  };
}

// The benchmark's data lives beside the repository (../shared/bench), where CI and the bench find it; a clone without it skips these.
describe.skipIf(!existsSync(GATEWAYS_BENCHMARK_PATH))('the public gateway benchmark subgraphs', () => {
  it('compose to a supergraph with the benchmark supergraph API schema', async () => {
    const composed = composeServices(SUBGRAPH_NAMES.map((name) => ({ name, typeDefs: subgraphTypeDefs(name), url: `http://127.0.0.1:4200/${name}` })));
    expect(composed.errors).toBeUndefined();
    expect(await apiSchemaOf(composed.supergraphSdl!)).toEqual(await apiSchemaOf(readGatewaysBenchmark().supergraph));
  });

  describe('with the benchmark data, through stock @apollo/gateway', () => {
    let graph: Awaited<ReturnType<typeof startBenchmarkGraph>>;
    beforeAll(async () => {
      graph = await startBenchmarkGraph(benchmarkDataSet());
    });
    afterAll(() => graph.stop());

    it('answer TestQuery with the users, products, stock and reviews the benchmark describes', async () => {
      const benchmark = readGatewaysBenchmark();
      const data = (await graph.run(benchmark.query)) as { users: TestUser[]; topProducts: TestProduct[] };
      expect(data.users.map(({ id, username, name }) => ({ id, username, name }))).toEqual(
        benchmark.users.map(({ id, username, name }) => ({ id, username, name })),
      );
      expect(data.topProducts.map((product) => product.name)).toEqual(['Table', 'Couch', 'Glass', 'Chair', 'TV']);
      expect(data.topProducts.map((product) => product.inStock)).toEqual([true, false, false, false, true]);
      // The original's inventory service reads price and weight from its own list, which has none.
      expect(data.topProducts.map((product) => product.shippingEstimate)).toEqual([null, null, null, null, null]);
      expect(data.topProducts.map((product) => product.reviews.map((review) => review.id))).toEqual([
        ['1', '2', '3', '4'],
        ['5', '6', '7', '8'],
        ['9'],
        ['10', '11'],
        [],
      ]);
      // Every review's author is user 1 (its username provided by reviews), with the first two reviews.
      const author = data.topProducts[0]!.reviews[0]!.author;
      expect({ id: author.id, username: author.username, name: author.name, reviews: author.reviews.map((review) => review.id) }).toEqual({
        id: '1',
        username: 'urigo',
        name: 'Uri Goldshtein',
        reviews: ['1', '2'],
      });
      expect(data.users.map((user) => user.reviews.map((review) => review.id))).toEqual(benchmark.users.map(() => ['1', '2']));
      expect(data.users[0]!.reviews[0]!.product).toMatchObject({ upc: '1', name: 'Table', price: 899, weight: 100, inStock: true });
    });

    it('answer me and user(id) from the accounts list', async () => {
      expect(await graph.run('{ me { id name } user(id: "4") { username birthday } missing: user(id: "99") { id } }')).toEqual({
        me: { id: '1', name: 'Uri Goldshtein' },
        user: { username: 'ardatan', birthday: 1234567890 },
        missing: null,
      });
    });
  });

  describe('with generated data, through stock @apollo/gateway', () => {
    const data = generatedDataSet();
    let graph: Awaited<ReturnType<typeof startBenchmarkGraph>>;
    beforeAll(async () => {
      graph = await startBenchmarkGraph(data);
    });
    afterAll(() => graph.stop());

    it('hold at least 10,000 users and products, the same for every process', () => {
      expect(data.users.length).toBeGreaterThanOrEqual(10_000);
      expect(data.products.length).toBeGreaterThanOrEqual(10_000);
      expect(data.reviews.length).toBeGreaterThan(20_000);
      expect(generatedDataSet()).toEqual(data);
    });

    it('answer each variable set with that user and that many top products', async () => {
      for (const variables of variedVariables(5, { users: data.users.length })) {
        const answer = (await graph.run(VARIED_QUERY, { ...variables })) as { user: TestUser; topProducts: TestProduct[] };
        const user = data.users.find((candidate) => candidate.id === variables.id)!;
        expect({ id: answer.user.id, username: answer.user.username, name: answer.user.name }).toEqual({
          id: user.id,
          username: user.username,
          name: user.name,
        });
        expect(answer.user.reviews.map((review) => review.id)).toEqual(data.reviews.filter((review) => review.authorId === user.id).map((review) => review.id));
        expect(answer.topProducts.map((product) => product.upc)).toEqual(data.products.slice(0, variables.n).map((product) => product.upc));
        for (const product of answer.topProducts) expect(product.shippingEstimate).toEqual(product.price! > 1000 ? 0 : Math.trunc(product.weight! / 2));
      }
    });
  });
});

interface TestUser {
  id: string;
  username: string;
  name: string;
  reviews: { id: string; product: TestProduct }[];
}

interface TestProduct {
  upc: string;
  name: string;
  price: number | null;
  weight: number | null;
  inStock: boolean;
  shippingEstimate: number | null;
  reviews: { id: string; author: TestUser }[];
}
