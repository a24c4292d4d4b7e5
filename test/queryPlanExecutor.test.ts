import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApolloServer, BaseContext } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VouchedIdentity } from '../lib/gatewayToken.js';
import { createLogger } from '../lib/logger.js';
import { createContext as accountsContext } from '../subgraphs/accounts/context.js';
import { createAccountsServer } from '../subgraphs/accounts/server.js';
import { createContext as inventoryContext } from '../subgraphs/inventory/context.js';
import { createInventoryServer } from '../subgraphs/inventory/server.js';
import type { Database } from '../subgraphs/kit/database.js';
import { openMigratedDatabase } from '../subgraphs/kit/testing.js';
import { createContext as ordersContext } from '../subgraphs/orders/context.js';
import { createPeerClient } from '../subgraphs/orders/peerClient.js';
import { createOrdersServer } from '../subgraphs/orders/server.js';
import { createContext as productsContext } from '../subgraphs/products/context.js';
import { createProductsServer } from '../subgraphs/products/server.js';
import { createContext as reviewsContext } from '../subgraphs/reviews/context.js';
import { createReviewsServer } from '../subgraphs/reviews/server.js';
import { GATEWAYS_BENCHMARK_PATH, readGatewaysBenchmark } from '../bench/gatewaysBenchmark/dataSet.js';
import { createBenchmarkSubgraphs, faults } from './support/gatewaysBenchmark/subgraphs.js';
import { generateOperations, type GeneratedOperation } from './support/generateOperations.js';
import { serveSubgraph, type ServedSubgraph } from './support/serveSubgraph.js';
import { FetchEpoch } from '../gateway/src/cache/FetchEpoch.js';
import { readGatewayConfig, type QueryPlanExecutorKind } from '../gateway/src/config.js';
import type { GatewayContext } from '../gateway/src/context.js';
import { createGateway, type Gateway } from '../gateway/src/createGateway.js';
import { GatewayMetrics } from '../gateway/src/observability/GatewayMetrics.js';
import { RequestObserver } from '../gateway/src/observability/RequestObserver.js';
import { defaultPlugins } from '../gateway/src/defaultPlugins.js';
import { EdgePipeline } from '../gateway/src/plugins/EdgePipeline.js';

const SHOP_SUPERGRAPH = new URL('../schema/supergraph.graphql', import.meta.url);
const IDENTITY: VouchedIdentity = { sub: 'u1', scopes: ['admin'], issuer: 'gateway' };

/** A stock and a fast gateway over the same subgraphs. */
class GatewayPair {
  readonly down = new Set<string>();
  private readonly gateways = new Map<QueryPlanExecutorKind, { built: Gateway; metrics: GatewayMetrics }>();
  private readonly served: ServedSubgraph[] = [];
  private readonly stoppable: { stop(): Promise<void> }[] = [];

  async serve<TContext extends BaseContext>(name: string, server: ApolloServer<TContext>, context: () => TContext): Promise<string> {
    await server.start();
    this.stoppable.push(server);
    const served = await serveSubgraph(server, context, () => this.down.has(name));
    this.served.push(served);
    return served.url;
  }

  async start(supergraphPath: string, urls: Record<string, string>): Promise<void> {
    for (const executor of ['stock', 'fast'] as const) {
      const config = readGatewayConfig({
        NODE_ENV: 'test',
        SUPERGRAPH_PATH: supergraphPath,
        QUERY_PLAN_EXECUTOR: executor,
        RESPONSE_CACHE: 'off',
        OPERATION_DEDUPLICATION: 'off',
        // A subgraph that is down fails at once, every time, on both gateways alike.
        SUBGRAPH_BREAKER_THRESHOLD: '1000',
        QUERY_MAX_COST: '100000000',
        QUERY_MAX_ALIASES: '1000',
        QUERY_MAX_DEPTH: '50',
        QUERY_MAX_DIRECTIVES: '1000',
        RATE_LIMIT_REQUESTS: '1000000',
        RATE_LIMIT_COST_PER_WINDOW: '1000000000',
        LOG_LEVEL: 'silent',
        ...Object.fromEntries(Object.entries(urls).map(([name, url]) => [`SUBGRAPH_${name.toUpperCase()}_URL`, url])),
      });
      const logger = createLogger('gateway', 'silent');
      const metrics = new GatewayMetrics({ processMetrics: false });
      const cacheStoreFailed = (): void => undefined;
      const pipeline = new EdgePipeline(defaultPlugins({ config, redis: undefined, metrics, logger, cacheStoreFailed }));
      const built = createGateway(config, pipeline, { logger, metrics, observer: new RequestObserver({ logger, metrics }), cacheStoreFailed }, undefined);
      await built.server.start();
      this.gateways.set(executor, { built, metrics });
    }
  }

  /** The API schema both gateways serve. */
  get schema() {
    const schema = this.gateway('stock').built.gateway.schema;
    if (schema === undefined) throw new Error('the gateway has not loaded');
    return schema;
  }

  /** Runs an operation on each gateway in turn; both answers, comparable as JSON (stack traces aside). */
  async run(operation: GeneratedOperation): Promise<{ stock: string; fast: string; answer: Answer }> {
    const [stock, fast] = [await this.answer('stock', operation), await this.answer('fast', operation)];
    return { stock: JSON.stringify(stock), fast: JSON.stringify(fast), answer: stock };
  }

  async fallbacks(): Promise<string> {
    const text = await this.gateway('fast').metrics.registry.getSingleMetricAsString('gateway_executor_fallbacks_total');
    return text
      .split('\n')
      .filter((line) => !line.startsWith('#'))
      .join('\n');
  }

  async stop(): Promise<void> {
    for (const { built } of this.gateways.values()) await built.server.stop();
    for (const server of this.stoppable) await server.stop();
    for (const { http } of this.served) await new Promise((resolve) => http.close(resolve));
  }

  private gateway(executor: QueryPlanExecutorKind) {
    const gateway = this.gateways.get(executor);
    if (gateway === undefined) throw new Error('start the pair first');
    return gateway;
  }

  private async answer(executor: QueryPlanExecutorKind, operation: GeneratedOperation): Promise<Answer> {
    const context: GatewayContext = {
      viewer: { sub: 'u1', scopes: new Set(['admin']) },
      caller: 'user:u1',
      requestId: 'differential',
      forwardedHeaders: {},
      changedEntities: new Set(),
      fetchEpoch: new FetchEpoch(),
    };
    const response = await this.gateway(executor).built.server.executeOperation(
      { query: operation.query, variables: operation.variables },
      { contextValue: context },
    );
    if (response.body.kind !== 'single') throw new Error('expected a single answer');
    const { data, errors, extensions } = response.body.singleResult;
    // Parallel fetches that fail add their errors in the order they fail, in either executor; the spec gives errors no order.
    const ordered =
      errors === undefined ? undefined : [...errors].sort((a, b) => (JSON.stringify([a.path, a.message]) < JSON.stringify([b.path, b.message]) ? -1 : 1));
    return JSON.parse(JSON.stringify({ data, errors: ordered, extensions }, (key, value: unknown) => (key === 'stacktrace' ? undefined : value))) as Answer;
  }
}

interface Answer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  extensions?: Record<string, unknown>;
}

/** Every operation answers alike on both gateways; returns how many answered with data, so a corpus that only fails is noticed. */
async function expectSameAnswers(pair: GatewayPair, operations: readonly GeneratedOperation[]): Promise<number> {
  let withData = 0;
  for (const operation of operations) {
    const { stock, fast, answer } = await pair.run(operation);
    expect(fast, `${operation.query}\n${JSON.stringify(operation.variables)}`).toBe(stock);
    if (answer.data !== undefined && answer.data !== null) withData += 1;
  }
  return withData;
}

const op = (query: string, variables: Record<string, unknown> = {}): GeneratedOperation => ({ query, variables });

// Each case runs its operations through two gateways in turn; on a loaded 2-core CI machine that takes well over vitest's default 5 s.
describe('the fast query-plan executor answers exactly as stock on the shop supergraph', { timeout: 60_000 }, () => {
  const pair = new GatewayPair();
  const databases: Database[] = [];

  beforeAll(async () => {
    const migrations = (service: string) => new URL(`../subgraphs/${service}/migrations/`, import.meta.url);
    const [accounts, products, inventory, reviews, orders] = (await Promise.all(
      ['accounts', 'products', 'inventory', 'reviews', 'orders'].map((service) => openMigratedDatabase(service, migrations(service))),
    )) as [Database, Database, Database, Database, Database];
    databases.push(accounts, products, inventory, reviews, orders);
    const urls: Record<string, string> = {};
    urls['accounts'] = await pair.serve('accounts', createAccountsServer(false), () => accountsContext(accounts, IDENTITY));
    urls['products'] = await pair.serve('products', createProductsServer(false), () => productsContext(products));
    urls['inventory'] = await pair.serve('inventory', createInventoryServer(false), () => inventoryContext(inventory, IDENTITY));
    urls['reviews'] = await pair.serve('reviews', createReviewsServer(false), () => reviewsContext(reviews, IDENTITY));
    const peers = {
      inventory: createPeerClient('inventory', urls['inventory'], async () => 'unchecked'),
      products: createPeerClient('products', urls['products'], async () => 'unchecked'),
    };
    urls['orders'] = await pair.serve('orders', createOrdersServer(false), () => ordersContext(orders, peers, IDENTITY));
    await pair.start(SHOP_SUPERGRAPH.pathname, urls);
    // Five embedded databases migrate and seed on a busy 2-core machine in well over the default 10 s.
  }, 180_000);

  afterAll(async () => {
    await pair.stop();
    await Promise.all(databases.map((db) => db.close()));
  });

  it('on the bench query and hand-written operations: fragments, aliases, @skip/@include, @requires, private fields, errors', async () => {
    const corpus = [
      op('{ topProducts(first: 5) { upc name price inStock shippingEstimate reviews { rating author { username } } } }'),
      op('{ product(upc: "1") { name price } }'),
      op(
        'query P($upc: String!) { product(upc: $upc) { ...Stock a: name reviews(first: 2) { body product { upc } } } } fragment Stock on Product { upc inStock quantity shippingEstimate }',
        { upc: '2' },
      ),
      op(
        'query S($on: Boolean!, $off: Boolean!) { topProducts(first: 3) { name @include(if: $on) price @skip(if: $on) w: weight @include(if: $off) reviews @skip(if: $off) { id } } }',
        { on: true, off: false },
      ),
      op(
        '{ users(first: 3) { totalCount nodes { id username email reviews { rating product { name shippingEstimate } } orders { total items { quantity product { name inStock } } } } } }',
      ),
      op('{ me { username email orders { id status buyer { username } } } }'),
      op('{ product(upc: "no-such-product") { name } topProducts(first: 1) { __typename t: __typename upc } }'),
      op('{ products(first: 4, category: "kitchen") { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { upc name averageRating } } } }'),
      op('{ categories }'),
      op('{ a: product(upc: "1") { name } b: product(upc: "2") { name reviews { author { username } } } }'),
      op('query Named { review(id: "r1") { body author { username createdAt } product { name } } }'),
      op('{ order(id: "00000000-0000-0000-0000-000000000000") { id } }'),
    ];
    const withData = await expectSameAnswers(pair, corpus);
    expect(withData).toBeGreaterThan(8);
    expect(await pair.fallbacks()).toBe('');
  });

  it('on a few hundred operations generated from the API schema', async () => {
    const operations = generateOperations(pair.schema, 1, 300, {
      argumentValues: { upc: ['1', '2', '3', 'missing'], id: ['u1', 'u2', 'r1'], first: [1, 2, 3], category: ['kitchen'] },
      maxDepth: 4,
    });
    const withData = await expectSameAnswers(pair, operations);
    expect(withData).toBeGreaterThan(250);
    expect(await pair.fallbacks()).toBe('');
  }, 120_000);

  it('while a subgraph is down: the same partial answer and SUBGRAPH_UNAVAILABLE errors', async () => {
    pair.down.add('inventory');
    try {
      await expectSameAnswers(pair, [
        op('{ topProducts(first: 3) { upc name inStock shippingEstimate reviews { rating } } }'),
        op('{ product(upc: "1") { inStock } }'),
      ]);
    } finally {
      pair.down.delete('inventory');
    }
  });

  it('leaves introspection to stock, visibly in gateway_executor_fallbacks_total', async () => {
    await expectSameAnswers(pair, [op('{ __schema { queryType { name } } topProducts(first: 1) { name } }')]);
    expect(await pair.fallbacks()).toContain('gateway_executor_fallbacks_total{reason="introspection"} 1');
  });
});

// The benchmark's query, data and supergraph live beside the repository (../shared/bench); a clone without them skips this part.
describe.skipIf(!existsSync(GATEWAYS_BENCHMARK_PATH))(
  'the fast query-plan executor answers exactly as stock on the gateway benchmark supergraph',
  { timeout: 60_000 },
  () => {
    const pair = new GatewayPair();
    let folder: string | undefined;

    beforeAll(async () => {
      const urls: Record<string, string> = {};
      for (const [name, server] of createBenchmarkSubgraphs()) urls[name] = await pair.serve(name, server, () => ({}));
      folder = mkdtempSync(join(tmpdir(), 'supergate-benchmark-'));
      writeFileSync(join(folder, 'supergraph.graphql'), readGatewaysBenchmark().supergraph);
      await pair.start(join(folder, 'supergraph.graphql'), urls);
    }, 60_000);

    afterAll(async () => {
      await pair.stop();
      if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
    });

    const benchmarkQuery = existsSync(GATEWAYS_BENCHMARK_PATH) ? readGatewaysBenchmark().query : '';

    it("on the benchmark's deep query", async () => {
      expect(await expectSameAnswers(pair, [op(benchmarkQuery)])).toBe(1);
    });

    it('on a few hundred operations generated from the API schema', async () => {
      const operations = generateOperations(pair.schema, 7, 300, { argumentValues: { id: ['1', '2', '9'], first: [1, 3, 9] }, maxDepth: 5 });
      expect(await expectSameAnswers(pair, operations)).toBeGreaterThan(250);
      expect(await pair.fallbacks()).toBe('');
    }, 120_000);

    const faulty = [
      ['a non-null field answered null (Review.id)', 'nullReviewIds'],
      ['a non-null key answered null (Product.upc)', 'nullFirstUpc'],
      ['an entity field failing with a code (Product.inStock)', 'inStockFails'],
      ['a value of the wrong type (User.birthday)', 'textBirthdays'],
    ] as const;

    it.each(faulty)('when %s: the same nulls, errors, paths and codes', async (_, fault) => {
      faults[fault] = true;
      try {
        const operations = [
          op(benchmarkQuery),
          op(
            '{ users { id birthday reviews { id body product { upc inStock } } } topProducts(first: 3) { upc inStock shippingEstimate reviews { id author { birthday } } } }',
          ),
          ...generateOperations(pair.schema, 100, 40, { argumentValues: { id: ['1', '2'], first: [2, 5] } }),
        ];
        await expectSameAnswers(pair, operations);
      } finally {
        faults[fault] = false;
      }
    });

    it('while a subgraph is down: the same partial answer', async () => {
      pair.down.add('reviews');
      try {
        await expectSameAnswers(pair, [op(benchmarkQuery)]);
      } finally {
        pair.down.delete('reviews');
      }
    });
  },
);
