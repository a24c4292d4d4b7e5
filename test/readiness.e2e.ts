import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSystem } from '../scripts/system.js';
import { startBuiltSystem } from './support/builtSystem.js';
import { postGraphQL } from './support/http.js';
import { createScratchDatabase, withAdmin, type ScratchDatabase } from './support/postgres.js';
import { startTcpProxy, type TcpProxy } from './support/tcpProxy.js';

const SUBGRAPHS = ['accounts', 'inventory', 'orders', 'products', 'reviews'];

async function getJson(url: URL): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

describe('readiness tells the truth about subgraph databases', () => {
  let system: RunningSystem;
  let database: ScratchDatabase;
  let databaseName: string;
  let databaseProxy: TcpProxy;
  const output: string[] = [];

  const subgraphReady = (name: string) => getJson(new URL('/ready', system.services.get(name)!.url));
  const gatewayReady = () => getJson(new URL('/ready', system.gatewayUrl));
  const refuseConnections = async (refuse: boolean): Promise<void> => {
    await withAdmin((admin) => admin.query(`ALTER DATABASE ${databaseName} ALLOW_CONNECTIONS ${refuse ? 'false' : 'true'}`));
    // The connections the service already holds go too, as when the server goes away.
    if (refuse)
      await withAdmin((admin) =>
        admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${databaseName}' AND pid <> pg_backend_pid()`),
      );
  };

  beforeAll(async () => {
    // Only reviews runs on PostgreSQL, in a database of its own that the test can take away; the rest stay embedded.
    // Reached through a proxy that can go silent, as a hung server or a dropped network does.
    database = await createScratchDatabase('readiness');
    databaseName = new URL(database.url).pathname.slice(1);
    const server = new URL(database.url);
    databaseProxy = await startTcpProxy(server.hostname, Number(server.port || 5432));
    const viaProxy = new URL(database.url);
    viaProxy.host = databaseProxy.address;
    system = await startBuiltSystem({
      freePorts: true,
      env: { NODE_ENV: 'test', RESPONSE_CACHE: 'off', REVIEWS_DATABASE_URL: viaProxy.toString(), RATE_LIMIT_REQUESTS: '100000' },
      log: (line) => output.push(line),
    });
  });

  afterAll(async () => {
    await system?.stop();
    await databaseProxy?.close();
    if (database !== undefined) {
      await refuseConnections(false).catch(() => undefined);
      await database.drop();
    }
  });

  it('a subgraph whose database answers is ready, on PostgreSQL and embedded alike', async () => {
    expect(await subgraphReady('reviews')).toEqual({ status: 200, body: { status: 'ready', service: 'reviews', database: 'up' } });
    expect(await subgraphReady('products')).toEqual({ status: 200, body: { status: 'ready', service: 'products', database: 'up' } });
    await expect.poll(gatewayReady, { timeout: 10_000, interval: 250 }).toEqual({
      status: 200,
      body: { status: 'ready', supergraph: 'loaded', redis: 'not configured', subgraphs: Object.fromEntries(SUBGRAPHS.map((name) => [name, 'up'])) },
    });
  });

  it('with its database unreachable, the subgraph answers 503 on /ready and the gateway stays in service, naming it as down', async () => {
    await refuseConnections(true);
    try {
      await expect
        .poll(() => subgraphReady('reviews'), { timeout: 10_000, interval: 250 })
        .toEqual({
          status: 503,
          body: { status: 'unavailable', service: 'reviews', database: 'down', reason: expect.stringMatching(/^the database (check failed|did not answer)/) },
        });
      // Alive all the same: restarting the process would not bring the database back.
      expect((await getJson(new URL('/health', system.services.get('reviews')!.url))).status).toBe(200);
      await expect.poll(gatewayReady, { timeout: 10_000, interval: 250 }).toEqual({
        status: 200,
        body: {
          status: 'degraded',
          supergraph: 'loaded',
          redis: 'not configured',
          subgraphs: Object.fromEntries(SUBGRAPHS.map((name) => [name, name === 'reviews' ? 'down' : 'up'])),
        },
      });
      // What /ready says is what clients get: the reviews fields fail, the rest answers.
      const answer = await postGraphQL<{ product: { name: string; averageRating: number | null } }>(
        system.gatewayUrl,
        '{ product(upc: "1") { name averageRating } }',
      );
      expect(answer.body.data?.product).toEqual({ name: expect.any(String), averageRating: null });
      expect(answer.body.errors?.length).toBeGreaterThan(0);
    } finally {
      await refuseConnections(false);
    }
    await expect
      .poll(() => subgraphReady('reviews'), { timeout: 10_000, interval: 250 })
      .toEqual({ status: 200, body: { status: 'ready', service: 'reviews', database: 'up' } });
    await expect.poll(async () => (await gatewayReady()).body, { timeout: 10_000, interval: 250 }).toMatchObject({ status: 'ready' });
    expect(output.join('\n')).toMatch(/not ready: the database/);
  });

  it('with its database silent, the subgraph answers 503 on /ready once the check times out, and ready again when it answers', async () => {
    databaseProxy.freeze();
    try {
      await expect
        .poll(() => subgraphReady('reviews'), { timeout: 10_000, interval: 250 })
        .toEqual({
          status: 503,
          body: { status: 'unavailable', service: 'reviews', database: 'down', reason: 'the database did not answer within 500 ms' },
        });
    } finally {
      databaseProxy.thaw();
    }
    await expect
      .poll(() => subgraphReady('reviews'), { timeout: 10_000, interval: 250 })
      .toEqual({ status: 200, body: { status: 'ready', service: 'reviews', database: 'up' } });
  });
});
