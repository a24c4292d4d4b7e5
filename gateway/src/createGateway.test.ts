import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/logger.js';
import { readGatewayConfig } from './config.js';
import { FetchEpoch } from './cache/FetchEpoch.js';
import type { GatewayContext } from './context.js';
import { createGateway, type Gateway } from './createGateway.js';
import { GatewayMetrics } from './observability/GatewayMetrics.js';
import { RequestObserver } from './observability/RequestObserver.js';
import { defaultPlugins } from './defaultPlugins.js';
import { EdgePipeline } from './plugins/EdgePipeline.js';

const MiB = 1024 * 1024;
const SUBGRAPHS = ['accounts', 'products', 'inventory', 'reviews', 'orders'];

describe("the gateway's parsed-document and query-plan caches", () => {
  let subgraph: Server | undefined;
  let built: Gateway | undefined;

  beforeAll(async () => {
    // Every subgraph answers "no such product", so each operation plans, fetches and completes.
    const noSuchProduct = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: { product: null } }));
    });
    subgraph = noSuchProduct;
    await new Promise<void>((resolve) => noSuchProduct.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(noSuchProduct.address() as AddressInfo).port}/graphql`;
    const config = readGatewayConfig({
      DOCUMENT_CACHE_MAX_BYTES: String(MiB),
      QUERY_PLAN_CACHE_MAX_BYTES: String(MiB),
      LOG_LEVEL: 'silent',
      ...Object.fromEntries(SUBGRAPHS.map((name) => [`SUBGRAPH_${name.toUpperCase()}_URL`, url])),
    });
    const logger = createLogger('gateway', 'silent');
    const metrics = new GatewayMetrics({ processMetrics: false });
    const cacheStoreFailed = (): void => undefined;
    const pipeline = new EdgePipeline(defaultPlugins({ config, redis: undefined, metrics, logger, cacheStoreFailed }));
    built = createGateway(config, pipeline, { logger, metrics, observer: new RequestObserver({ logger, metrics }), cacheStoreFailed }, undefined);
    await built.server.start();
  });

  afterAll(async () => {
    await built?.server.stop();
    await new Promise((resolve) => subgraph?.close(resolve));
  });

  it('stay within DOCUMENT_CACHE_MAX_BYTES and QUERY_PLAN_CACHE_MAX_BYTES however many distinct operations clients send', async () => {
    const context: GatewayContext = {
      viewer: null,
      caller: 'ip:test',
      requestId: 'test',
      forwardedHeaders: {},
      changedEntities: new Set(),
      fetchEpoch: new FetchEpoch(),
    };
    // About 10 kB each as a parsed document and as a plan: 300 of them are three times either bound.
    for (let n = 0; n < 300; n += 1) {
      const response = await built!.server.executeOperation(
        { query: `query Product${n} { product(upc: "${n}${'0'.repeat(10_000)}") { name } }` },
        { contextValue: context },
      );
      expect(response.body.kind === 'single' && response.body.singleResult.errors).toBeUndefined();
      expect(built!.documents.bytes).toBeLessThanOrEqual(MiB);
      expect(built!.queryPlans.bytes).toBeLessThanOrEqual(MiB);
    }
    // Both caches are the ones Apollo fills: full, and holding only the latest operations.
    expect(built!.documents.bytes).toBeGreaterThan(MiB / 2);
    expect(built!.queryPlans.bytes).toBeGreaterThan(MiB / 2);
    expect(built!.documents.size).toBeLessThan(150);
    // 300 operations planned and run through a real gateway take longer than the default 5 s on a busy 2-core machine.
  }, 60_000);
});
