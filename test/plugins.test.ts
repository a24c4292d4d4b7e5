import { generateKeyPairSync, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_BLOCKED, useBlockedOperations } from '../examples/plugins/useBlockedOperations.js';
import { useResponseHeader } from '../examples/plugins/useResponseHeader.js';
import { createSupergate, readGatewayConfig, useAuthorization, useQueryLimits, useRateLimits, type Supergate } from '../gateway/src/public.js';
import type { Database } from '../subgraphs/kit/database.js';
import { openMigratedDatabase } from '../subgraphs/kit/testing.js';
import { createContext as productsContext } from '../subgraphs/products/context.js';
import { createProductsServer } from '../subgraphs/products/server.js';
import { postGraphQL } from './support/http.js';
import { serveSubgraph, type ServedSubgraph } from './support/serveSubgraph.js';

const JWT_SECRET = 'plugins-suite-secret-that-is-long-enough-for-hs256';
const SIGNING_KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
/** Nothing listens here: a subgraph these operations must never reach. */
const UNREACHABLE = 'http://127.0.0.1:9/graphql';

/** The gateway's settings in production, so masking is on, with only the products subgraph behind it. */
function productionConfig(productsUrl: string, redisUrl: string) {
  return readGatewayConfig({
    NODE_ENV: 'production',
    JWT_SECRET,
    GATEWAY_SIGNING_KEY: SIGNING_KEY,
    REDIS_URL: redisUrl,
    METRICS_PORT: '0',
    LOG_LEVEL: 'silent',
    SUBGRAPH_PRODUCTS_URL: productsUrl,
    SUBGRAPH_ACCOUNTS_URL: UNREACHABLE,
    SUBGRAPH_INVENTORY_URL: UNREACHABLE,
    SUBGRAPH_REVIEWS_URL: UNREACHABLE,
    SUBGRAPH_ORDERS_URL: UNREACHABLE,
  });
}

describe.each([
  ['in process memory', ''],
  ['on Redis', 'redis://127.0.0.1:6379/14'],
])('the default plugins plus a team’s own, %s', (_store, redisUrl) => {
  let db: Database;
  let products: ServedSubgraph;
  let supergate: Supergate;
  let url: string;
  let subgraphCalls = 0;
  // Cached answers outlive a run in Redis; a query of this run's own is a miss the first time.
  const run = `run_${randomUUID().replaceAll('-', '')}`;
  const productQuery = `query Product { product(upc: "1") { name } ${run}: __typename }`;

  beforeAll(async () => {
    db = await openMigratedDatabase('products', new URL('../subgraphs/products/migrations/', import.meta.url));
    const server = createProductsServer(true);
    await server.start();
    products = await serveSubgraph(server, () => {
      subgraphCalls += 1;
      return productsContext(db);
    });
    supergate = createSupergate({
      config: productionConfig(products.url, redisUrl),
      plugins: ({ defaultPlugins }) => [...defaultPlugins(), useResponseHeader({ value: 'checkout' }), useBlockedOperations({ names: ['LegacyCart'] })],
    });
    url = await supergate.listen({ port: 0, host: '127.0.0.1' });
  }, 60_000);

  afterAll(async () => {
    await supergate?.stop();
    await new Promise((resolve) => products?.http.close(resolve));
    await db?.close();
  });

  it('a plugin’s response header is on every answer, a cached one included', async () => {
    const miss = await postGraphQL(url, productQuery);
    const hit = await postGraphQL(url, productQuery);
    expect([miss.status, miss.headers.get('x-cache'), miss.headers.get('x-served-by-team')]).toEqual([200, 'MISS', 'checkout']);
    expect([hit.status, hit.headers.get('x-cache'), hit.headers.get('x-served-by-team')]).toEqual([200, 'HIT', 'checkout']);
    expect(hit.body).toEqual(miss.body);
    expect(hit.body).toEqual({ data: { product: { name: expect.any(String) }, [run]: 'Query' } });
  });

  it('a plugin refuses an operation by name with its own code and a 403, shown in production, before any subgraph is called', async () => {
    const before = subgraphCalls;
    const refused = await postGraphQL(url, `query LegacyCart { product(upc: "1") { name } ${run}: __typename }`);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      errors: [
        { message: 'The operation LegacyCart is no longer served; update the client.', extensions: { code: OPERATION_BLOCKED, operationName: 'LegacyCart' } },
      ],
    });
    expect(refused.headers.get('x-served-by-team')).toBe('checkout');
    expect(subgraphCalls).toBe(before);
  });

  it('the default checks still run: a bad token, an operation too deep, a field that needs a signed-in caller', async () => {
    const badToken = await postGraphQL(url, productQuery, {}, { authorization: 'Bearer not-a-token' });
    expect([badToken.status, badToken.body.errors?.[0]?.extensions?.['code']]).toEqual([401, 'UNAUTHENTICATED']);

    const deep = await postGraphQL(url, `{ product(upc: "1") { ${'reviews { product { '.repeat(6)} name ${'} } '.repeat(6)} } }`);
    expect(deep.status).toBe(400);
    expect(deep.body.errors?.[0]?.extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', limit: 'depth', max: 12 });

    const anonymous = await postGraphQL(url, '{ me { email } }');
    expect(anonymous.status).toBe(200);
    expect(anonymous.body).toEqual({
      data: null,
      errors: [{ message: 'You must be signed in to read Query.me.', path: ['me'], extensions: { code: 'UNAUTHENTICATED' } }],
    });

    const signedIn = await postGraphQL(
      url,
      productQuery,
      {},
      { authorization: `Bearer ${jwt.sign({ scope: '' }, JWT_SECRET, { subject: 'u1', expiresIn: 60 })}` },
    );
    expect([signedIn.status, signedIn.headers.get('x-served-by-team')]).toEqual([200, 'checkout']);
  });
});

describe('a pipeline whose order would weaken a check', () => {
  it('is refused when the gateway is created: rate limits must spend on what authorization left', () => {
    const config = readGatewayConfig({ LOG_LEVEL: 'silent', METRICS_PORT: '0' });
    expect(() => createSupergate({ config, plugins: [useQueryLimits(), useRateLimits(), useAuthorization()] })).toThrow(
      'plugin rateLimits must come after authorization in the plugin list',
    );
  });
});
