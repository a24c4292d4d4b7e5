import type { ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { createClient } from 'graphql-ws';
import jwt from 'jsonwebtoken';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService, RunningSystem } from '../scripts/system.js';
import { startBuiltSystem } from './support/builtSystem.js';
import { startFaultyProxy, type FaultyProxy } from './support/faultyProxy.js';
import { postGraphQL, readCounter } from './support/http.js';
import { startPrivateRedis, type PrivateRedis } from './support/redisServer.js';
import { waitFor } from './support/waitFor.js';

const JWT_SECRET = 'resilience-suite-secret-that-is-long-enough-for-hs256';
const GATEWAY_SECRET = 'resilience-suite-gateway-secret-long-enough-to-sign';

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** GET over a fresh connection, so a cluster spreads the requests over its workers. */
function getFresh(url: string): Promise<{ status: number; servedBy: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, servedBy: res.headers['x-served-by'] as string | undefined, body }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer from ${url}`)));
    req.on('error', reject);
    req.end();
  });
}

const acceptsConnections = (url: string): Promise<boolean> =>
  getFresh(new URL('/health', url).toString()).then(
    () => true,
    () => false,
  );

/**
 * Opens a keep-alive connection and sends all of a `GET /ready` but its last
 * line, so the gateway counts it as a request in flight.
 */
async function startReadyRequest(url: string): Promise<{ finish(): Promise<string> }> {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect(Number(port), hostname);
  await new Promise((resolve) => socket.once('connect', resolve));
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  const closed = new Promise((resolve) => socket.once('close', resolve));
  // A first, whole request proves a gateway process (a worker, under a cluster primary) owns the connection.
  socket.write(`GET /health HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
  await waitFor('the first answer on the connection', () => received.includes('"status":"ok"'));
  received = '';
  socket.write(`GET /ready HTTP/1.1\r\nHost: ${hostname}\r\n`);
  // Nothing answers half a request, so give it a moment to reach the gateway before anything else happens.
  await new Promise((resolve) => setTimeout(resolve, 200));
  return {
    async finish() {
      socket.write('\r\n');
      await closed;
      return received;
    },
  };
}

// Timeouts, circuit breaking and shared executions: resilience.integration.ts. These need processes of their own.
describe('resilience: graceful shutdown, workers, and a subgraph process that dies', () => {
  let system: RunningSystem;
  let reviews: FaultyProxy;
  /** Workers share their cache and counters only through Redis, so more than one needs it. */
  let redis: PrivateRedis;
  const output: string[] = [];

  const gatewayBehindProxy = (env: Record<string, string> = {}): Promise<RunningService> =>
    // The response cache would answer repeated queries without calling reviews at all.
    system.addGateway({ SUBGRAPH_REVIEWS_URL: reviews.url, RESPONSE_CACHE: 'off', ...env });

  beforeAll(async () => {
    system = await startBuiltSystem({
      freePorts: true,
      env: { NODE_ENV: 'test', JWT_SECRET, GATEWAY_SECRET, RATE_LIMIT_REQUESTS: '100000' },
      log: (line) => output.push(line),
    });
    reviews = await startFaultyProxy(system.services.get('reviews')!.url);
    redis = await startPrivateRedis();
  });

  afterAll(async () => {
    await system?.stop();
    await reviews?.close();
    await redis?.stop();
  });

  it('runs GATEWAY_WORKERS worker processes on one port and replaces one that crashes', async () => {
    const gateway = await system.addGateway({ GATEWAY_WORKERS: '2', REDIS_URL: redis.url });
    const health = new URL('/health', gateway.url).toString();
    const pids = new Set<string>();
    await waitFor('answers from two workers', async () => {
      const answer = await getFresh(health);
      expect(answer.status).toBe(200);
      if (answer.servedBy !== undefined) pids.add(answer.servedBy);
      return pids.size >= 2;
    });
    expect(pids.size).toBe(2);
    expect(pids.has(String(gateway.process.pid))).toBe(false);

    const [crashed] = [...pids];
    process.kill(Number(crashed), 'SIGKILL');
    const replacement = new Set<string>();
    await waitFor('a replacement worker to answer', async () => {
      const answer = await getFresh(health).catch(() => undefined);
      if (answer?.servedBy !== undefined && !pids.has(answer.servedBy)) replacement.add(answer.servedBy);
      return replacement.size > 0;
    });
    const query = await postGraphQL(gateway.url, '{ product(upc: "1") { name } }');
    expect(query.body).toEqual({ data: { product: { name: expect.any(String) } } });

    const exited = exitOf(gateway.process);
    gateway.process.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    // Starting three gateway processes takes a while on a busy machine.
  }, 180_000);

  it.each([
    { processes: 'one process', env: {} },
    { processes: 'two workers', env: { GATEWAY_WORKERS: '2' } },
  ])('finishes every request in flight on SIGTERM and exits 0 ($processes)', { timeout: 180_000 }, async ({ env }) => {
    // Held calls must not time out: this is about shutting down, not about timeouts.
    const gateway = await gatewayBehindProxy({ SHUTDOWN_GRACE_MS: '60000', SUBGRAPH_TIMEOUT_MS: '120000', REDIS_URL: redis.url, ...env });
    reviews.mode = 'hold';
    try {
      const count = 20;
      const answers = Array.from({ length: count }, (_, i) =>
        postGraphQL<{ topProducts: { name: string }[] }>(gateway.url, 'query Top($first: Int) { topProducts(first: $first) { name averageRating } }', {
          first: i + 1,
        }),
      );
      await waitFor('every query to reach the subgraph', () => reviews.held === count);
      const ready = await startReadyRequest(gateway.url);

      const exited = exitOf(gateway.process);
      gateway.process.kill('SIGTERM');
      await waitFor('the gateway to refuse new connections', async () => !(await acceptsConnections(gateway.url)));
      // A request already on an open connection is still answered, and readiness says the gateway is going.
      const readyAnswer = await ready.finish();
      expect(readyAnswer).toMatch(/^HTTP\/1\.1 503 /);
      expect(readyAnswer).toContain('"status":"stopping"');

      reviews.release();
      const responses = await Promise.all(answers);
      expect(responses.map((response) => response.status)).toEqual(Array(count).fill(200));
      expect(responses.filter((response) => response.body.errors !== undefined)).toEqual([]);
      expect(responses.map((response) => response.body.data?.topProducts.length)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
      expect(await exited).toEqual({ code: 0, signal: null });
      expect(output.join('\n')).not.toMatch(/cut off/);
    } finally {
      reviews.mode = 'forward';
      reviews.release();
    }
  });

  it(
    'ends subscriptions at once on SIGTERM: WebSockets close with 1001, SSE streams end with SHUTTING_DOWN, and it exits 0',
    { timeout: 120_000 },
    async () => {
      const gateway = await system.addGateway({ SHUTDOWN_GRACE_MS: '60000' });
      let closeCode: number | undefined;
      const client = createClient({
        url: gateway.url.replace('http', 'ws'),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        on: { closed: (event) => (closeCode = (event as { code: number }).code) },
      });
      client.subscribe({ query: 'subscription { reviewAdded { body } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
      const sse = fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: 'subscription { reviewAdded { body } }' }),
      });
      await waitFor('both subscriptions', async () => (await readCounter(gateway.url, 'gateway_subscriptions_active')) >= 2);
      const exited = exitOf(gateway.process);
      gateway.process.kill('SIGTERM');
      const streamed = await (await sse).text();
      expect(streamed).toMatch(/event: next\ndata: \{"errors":\[\{"message":"[^"]+","extensions":\{"code":"SHUTTING_DOWN"\}\}\]\}\n\nevent: complete/);
      expect(await exited).toEqual({ code: 0, signal: null });
      expect(closeCode).toBe(1001);
      // Nothing waited out the 60 s grace period for the subscriptions: no connection was cut off at its end.
      expect(output.join('\n')).not.toMatch(/cut off/);
      await client.dispose();
    },
  );

  it('tells a production client that checkout failed upstream with UPSTREAM_FAILED, unmasked, while inventory is down', { timeout: 120_000 }, async () => {
    const gateway = await system.addGateway({ NODE_ENV: 'production', GATEWAY_WORKERS: '1' });
    const buyer = { authorization: `Bearer ${jwt.sign({ scope: '' }, JWT_SECRET, { algorithm: 'HS256', subject: 'u1', expiresIn: 300 })}` };
    const placeOrder = 'mutation ($key: String!) { placeOrder(input: { items: [{ upc: "1", quantity: 1 }], idempotencyKey: $key }) { id } }';
    await system.kill('inventory');
    try {
      const response = await postGraphQL(gateway.url, placeOrder, { key: `upstream-${Date.now()}` }, buyer);
      expect(response.status).toBe(200);
      expect(response.body.errors).toEqual([
        { message: 'inventory is unavailable', path: ['placeOrder'], extensions: { code: 'UPSTREAM_FAILED', serviceName: 'orders' } },
      ]);
    } finally {
      await system.restart('inventory');
    }
    const recovered = await postGraphQL(gateway.url, placeOrder, { key: `upstream-after-${Date.now()}` }, buyer);
    expect(recovered.body.errors).toBeUndefined();
  });
});
