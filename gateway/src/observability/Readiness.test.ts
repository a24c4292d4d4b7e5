import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readiness } from './Readiness.js';

describe('readiness', () => {
  let healthy: Server;
  let healthyUrl: string;
  let withoutDatabase: Server;
  let withoutDatabaseUrl: string;
  let unreachableUrl: string;
  let probes = 0;

  beforeAll(async () => {
    healthy = createServer((req, res) => {
      if (req.url === '/ready') probes += 1;
      res.statusCode = req.url === '/ready' || req.url === '/health' ? 200 : 404;
      res.end('{"status":"ready"}');
    });
    await new Promise<void>((resolve) => healthy.listen(0, '127.0.0.1', resolve));
    healthyUrl = `http://127.0.0.1:${(healthy.address() as AddressInfo).port}/graphql`;
    // Alive, but its database does not answer: what a subgraph's /ready says then.
    withoutDatabase = createServer((req, res) => {
      res.statusCode = req.url === '/ready' ? 503 : 200;
      res.end(req.url === '/ready' ? '{"status":"unavailable","database":"down"}' : '{"status":"ok"}');
    });
    await new Promise<void>((resolve) => withoutDatabase.listen(0, '127.0.0.1', resolve));
    withoutDatabaseUrl = `http://127.0.0.1:${(withoutDatabase.address() as AddressInfo).port}/graphql`;
    // A port that was just free: connections are refused.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    unreachableUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/graphql`;
    await new Promise((resolve) => closed.close(resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => healthy.close(resolve));
    await new Promise((resolve) => withoutDatabase.close(resolve));
  });

  it('is ready with every subgraph up and Redis not configured', async () => {
    const readiness = new Readiness({ subgraphUrls: new Map([['products', healthyUrl]]), redisAvailable: undefined });
    readiness.supergraphLoaded();
    expect(await readiness.report()).toEqual({
      httpStatus: 200,
      body: { status: 'ready', supergraph: 'loaded', redis: 'not configured', subgraphs: { products: 'up' } },
    });
  });

  it('stays in service, degraded, while a subgraph or Redis is down', async () => {
    const readiness = new Readiness({
      subgraphUrls: new Map([
        ['reviews', unreachableUrl],
        ['products', healthyUrl],
      ]),
      redisAvailable: () => false,
    });
    readiness.supergraphLoaded();
    expect(await readiness.report()).toEqual({
      httpStatus: 200,
      body: { status: 'degraded', supergraph: 'loaded', redis: 'down', subgraphs: { products: 'up', reviews: 'down' } },
    });
  });

  it('names a subgraph whose database does not answer as down, exactly like one that is not running, and stays in service', async () => {
    const readiness = new Readiness({
      subgraphUrls: new Map([
        ['reviews', withoutDatabaseUrl],
        ['accounts', unreachableUrl],
        ['products', healthyUrl],
      ]),
      redisAvailable: undefined,
    });
    readiness.supergraphLoaded();
    expect(await readiness.report()).toEqual({
      httpStatus: 200,
      body: { status: 'degraded', supergraph: 'loaded', redis: 'not configured', subgraphs: { accounts: 'down', products: 'up', reviews: 'down' } },
    });
  });

  it('answers 503 before the supergraph is loaded and while stopping', async () => {
    const readiness = new Readiness({ subgraphUrls: new Map(), redisAvailable: () => true });
    expect(await readiness.report()).toEqual({ httpStatus: 503, body: { status: 'unavailable', supergraph: 'not loaded', redis: 'up', subgraphs: {} } });
    readiness.supergraphLoaded();
    expect((await readiness.report()).httpStatus).toBe(200);
    readiness.markStopping();
    expect(await readiness.report()).toEqual({ httpStatus: 503, body: { status: 'stopping', supergraph: 'loaded', redis: 'up', subgraphs: {} } });
  });

  it('probes each subgraph at most once per cache period, however often it is asked', async () => {
    let now = 0;
    const readiness = new Readiness({ subgraphUrls: new Map([['products', healthyUrl]]), redisAvailable: undefined, cacheMs: 3_000, now: () => now });
    readiness.supergraphLoaded();
    const before = probes;
    await Promise.all([readiness.report(), readiness.report(), readiness.report()]);
    now = 2_999;
    await readiness.report();
    expect(probes - before).toBe(1);
    now = 3_000;
    await readiness.report();
    expect(probes - before).toBe(2);
  });
});
