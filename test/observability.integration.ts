import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL } from './support/http.js';
import { startInProcessSystem, type InProcessSystem } from './support/inProcessSystem.js';
import { startPrivateRedis, type PrivateRedis } from './support/redisServer.js';

const SUBGRAPHS = ['accounts', 'inventory', 'orders', 'products', 'reviews'];

/** The JSON log lines one process printed (the launcher prefixes each with `[name] `). */
function jsonLines(output: readonly string[], service: string): Record<string, unknown>[] {
  const prefix = `[${service}] {`;
  return output.filter((line) => line.startsWith(prefix)).map((line) => JSON.parse(line.slice(prefix.length - 1)) as Record<string, unknown>);
}

/** Sample values of one metric in Prometheus text, keyed by their label set as printed. */
function samples(text: string, metric: string): Record<string, number> {
  const result: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
    const space = line.lastIndexOf(' ');
    result[line.slice(metric.length, space)] = Number(line.slice(space + 1));
  }
  return result;
}

describe('observability: metrics, request logs and readiness', () => {
  let system: InProcessSystem;
  let redis: PrivateRedis;
  const output: string[] = [];

  beforeAll(async () => {
    redis = await startPrivateRedis();
    system = await startInProcessSystem({
      env: { NODE_ENV: 'test', LOG_LEVEL: 'info', REDIS_URL: redis.url, RATE_LIMIT_REQUESTS: '100000' },
      log: (line) => output.push(line),
    });
  });

  afterAll(async () => {
    await system?.stop();
    await redis?.stop();
  });

  it('counts requests by operation name and outcome, and fetches by subgraph, at GET /metrics', async () => {
    const topProducts = 'query TopProducts { topProducts(first: 3) { name reviews(first: 1) { rating } } }';
    for (let n = 0; n < 3; n += 1) expect((await postGraphQL(system.gatewayUrl, topProducts)).status).toBe(200);
    expect((await postGraphQL(system.gatewayUrl, '{ product(upc: "1") { name } }')).status).toBe(200);
    expect((await postGraphQL(system.gatewayUrl, 'query Broken { product(upc: "1") { nope } }')).status).toBe(400);

    const scrape = async (): Promise<string> => {
      const response = await fetch(new URL('/metrics', system.gatewayUrl));
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      return response.text();
    };
    await expect
      .poll(async () => samples(await scrape(), 'gateway_requests_total'))
      .toEqual({
        '{operation="TopProducts",outcome="success"}': 3,
        '{operation="(anonymous)",outcome="success"}': 1,
        // A document that does not validate never resolves to a named operation.
        '{operation="(anonymous)",outcome="rejected"}': 1,
      });
    const text = await scrape();
    expect(samples(text, 'gateway_request_duration_seconds_count')).toMatchObject({ '{operation="TopProducts",outcome="success"}': 3 });
    const fetches = samples(text, 'gateway_subgraph_fetch_duration_seconds_count');
    expect(fetches['{subgraph="products"}']).toBeGreaterThanOrEqual(1);
    expect(fetches['{subgraph="reviews"}']).toBeGreaterThanOrEqual(1);
    expect(samples(text, 'gateway_subgraph_errors_total')).toEqual({});
    expect(samples(text, 'gateway_redis_available')).toEqual({ '': 1 });
    expect(samples(text, 'gateway_supergraph_reloads_total')).toEqual({ '{outcome="success"}': 1, '{outcome="failure"}': 0 });
    expect(Object.keys(samples(text, 'gateway_cache_lookups_total')).sort()).toEqual(['{outcome="bypass"}', '{outcome="hit"}', '{outcome="miss"}']);
    expect(text).toContain('# TYPE gateway_rate_limit_rejections_total counter');
    expect(text).toContain('# TYPE gateway_cache_invalidations_total counter');
    expect(text).toContain('process_resident_memory_bytes');
  });

  it('returns the client’s X-Request-Id, and the gateway and every subgraph it reached log it', async () => {
    // no-cache: the answer must come from the subgraphs, not from the response cache.
    const response = await postGraphQL(system.gatewayUrl, 'query Traced { topProducts(first: 2) { upc name reviews(first: 2) { rating } } }', undefined, {
      'x-request-id': 'test-123',
      'cache-control': 'no-cache',
    });
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    expect(response.headers.get('x-request-id')).toBe('test-123');

    await expect
      .poll(() => jsonLines(output, 'gateway').filter((line) => line['requestId'] === 'test-123'))
      .toEqual([
        {
          level: 'info',
          time: expect.any(String),
          service: 'gateway',
          pid: expect.any(Number),
          hostname: expect.any(String),
          requestId: 'test-123',
          method: 'POST',
          operationName: 'Traced',
          status: 200,
          durationMs: expect.any(Number),
          ...(response.headers.get('x-cache') === null ? {} : { cache: response.headers.get('x-cache') }),
          errorCodes: [],
          outcome: 'success',
          msg: 'graphql request',
        },
      ]);
    for (const subgraph of ['products', 'reviews']) {
      await expect
        .poll(() => jsonLines(output, subgraph).filter((line) => line['requestId'] === 'test-123'))
        .toContainEqual(expect.objectContaining({ service: subgraph, requestId: 'test-123', status: 200, msg: 'graphql request' }));
    }
    const generated = await postGraphQL(system.gatewayUrl, '{ product(upc: "2") { name } }');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('stays ready but degraded, with 200, when a subgraph goes down', async () => {
    const ready = async () => {
      const response = await fetch(new URL('/ready', system.gatewayUrl));
      return { status: response.status, body: await response.json() };
    };
    expect(await ready()).toEqual({
      status: 200,
      body: { status: 'ready', supergraph: 'loaded', redis: 'up', subgraphs: Object.fromEntries(SUBGRAPHS.map((name) => [name, 'up'])) },
    });

    await system.stopSubgraph('reviews');
    // Probe results are reused for a few seconds, so the change shows within that.
    await expect.poll(ready, { timeout: 10_000, interval: 250 }).toEqual({
      status: 200,
      body: {
        status: 'degraded',
        supergraph: 'loaded',
        redis: 'up',
        subgraphs: Object.fromEntries(SUBGRAPHS.map((name) => [name, name === 'reviews' ? 'down' : 'up'])),
      },
    });
    expect((await fetch(new URL('/health', system.gatewayUrl))).status).toBe(200);
  });
});
