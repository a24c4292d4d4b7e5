import { performance } from 'node:perf_hooks';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultyProxy, type FaultyProxy } from './support/faultyProxy.js';
import { postGraphQL, readCounter } from './support/http.js';
import { startInProcessSystem, type InProcessService, type InProcessSystem } from './support/inProcessSystem.js';
import { waitFor } from './support/waitFor.js';

const JWT_SECRET = 'resilience-suite-secret-that-is-long-enough-for-hs256';
const GATEWAY_SECRET = 'resilience-suite-gateway-secret-long-enough-to-sign';
/** `averageRating` comes from reviews and is nullable, so a reviews failure leaves the rest of the answer intact. */
const PRODUCT_WITH_RATING = '{ product(upc: "1") { name averageRating } }';

describe('resilience: timeouts, circuit breaking and shared executions', () => {
  let system: InProcessSystem;
  let reviews: FaultyProxy;
  const output: string[] = [];

  const gatewayBehindProxy = (env: Record<string, string> = {}): Promise<InProcessService> =>
    // The response cache would answer repeated queries without calling reviews at all.
    system.addGateway({ SUBGRAPH_REVIEWS_URL: reviews.url, RESPONSE_CACHE: 'off', ...env });

  beforeAll(async () => {
    system = await startInProcessSystem({
      env: { NODE_ENV: 'test', JWT_SECRET, GATEWAY_SECRET, RATE_LIMIT_REQUESTS: '100000' },
      log: (line) => output.push(line),
    });
    reviews = await startFaultyProxy(system.services.get('reviews')!.url);
  });

  afterAll(async () => {
    await system?.stop();
    await reviews?.close();
  });

  it('answers with SUBGRAPH_TIMEOUT once, after one timeout, for a subgraph that hangs, and the rest of the operation', async () => {
    const timeoutMs = 1_000;
    const gateway = await gatewayBehindProxy({
      NODE_ENV: 'production',
      GATEWAY_WORKERS: '1',
      SUBGRAPH_TIMEOUT_MS: String(timeoutMs),
      SUBGRAPH_BREAKER_THRESHOLD: '100',
    });
    reviews.mode = 'hang';
    const before = reviews.graphqlRequests;
    try {
      const startedAt = performance.now();
      const response = await postGraphQL(gateway.url, PRODUCT_WITH_RATING);
      const elapsedMs = performance.now() - startedAt;
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        data: { product: { name: expect.any(String), averageRating: null } },
        errors: [
          {
            message: 'The reviews service did not answer in time.',
            path: ['product', 'averageRating'],
            extensions: { code: 'SUBGRAPH_TIMEOUT', serviceName: 'reviews' },
          },
        ],
      });
      expect(JSON.stringify(response.body)).not.toContain(new URL(reviews.url).port);
      // One deadline for the call and its retry: the timeout used it up, so no second attempt was made, now or later.
      expect(elapsedMs).toBeGreaterThanOrEqual(timeoutMs - 10);
      await new Promise((resolve) => setTimeout(resolve, timeoutMs));
      expect(reviews.graphqlRequests - before).toBe(1);
    } finally {
      reviews.mode = 'forward';
    }
  });

  it('stops calling a failing subgraph once its circuit opens, and calls it again after the cool-down', async () => {
    const gateway = await gatewayBehindProxy({ SUBGRAPH_BREAKER_THRESHOLD: '5', SUBGRAPH_BREAKER_COOLDOWN_MS: '1500' });
    const healthy = await postGraphQL(gateway.url, PRODUCT_WITH_RATING);
    expect(healthy.body.errors).toBeUndefined();

    reviews.mode = 'fail';
    const before = reviews.graphqlRequests;
    const unavailable = {
      message: 'The reviews service is unavailable.',
      extensions: expect.objectContaining({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'reviews' }),
    };
    for (let i = 0; i < 13; i += 1) {
      const response = await postGraphQL<{ product: { name: string; averageRating: number | null } }>(gateway.url, PRODUCT_WITH_RATING);
      expect(response.status).toBe(200);
      expect(response.body.data?.product).toEqual({ name: expect.any(String), averageRating: null });
      expect(response.body.errors).toEqual([expect.objectContaining(unavailable)]);
    }
    // Two queries of a call and its retry, then the fifth failure opens the circuit: nothing more reaches the subgraph.
    expect(reviews.graphqlRequests - before).toBe(5);

    reviews.mode = 'forward';
    await waitFor('the circuit to close again', async () => (await postGraphQL(gateway.url, PRODUCT_WITH_RATING)).body.errors === undefined);
    const recovered = await postGraphQL<{ product: { averageRating: number | null } }>(gateway.url, PRODUCT_WITH_RATING);
    expect(recovered.body.errors).toBeUndefined();
    expect(output.join('\n')).toMatch(/circuit to reviews open/);
  });

  it('shares one execution among identical queries in flight, while each spends its own budgets and callers never share', async () => {
    const gateway = await gatewayBehindProxy({ QUERY_MAX_COST: '10', RATE_LIMIT_COST_PER_WINDOW: '40' });
    const as = (sub: string) => ({ authorization: `Bearer ${jwt.sign({ scope: '' }, JWT_SECRET, { algorithm: 'HS256', subject: sub, expiresIn: 300 })}` });
    // Costs 7 (product, name, and averageRating, which weighs 5): five fit in a budget of 40, a sixth does not.
    reviews.mode = 'hold';
    try {
      const callsBefore = reviews.graphqlRequests;
      const mine = Array.from({ length: 6 }, () => postGraphQL(gateway.url, PRODUCT_WITH_RATING, undefined, as('u61')));
      const theirs = postGraphQL(gateway.url, PRODUCT_WITH_RATING, undefined, as('u62'));
      // One reviews call for u61's five that fit their budget, one for u62.
      await waitFor('one held reviews call per caller', () => reviews.held === 2);
      const sharedBefore = await readCounter(gateway.url, 'gateway_shared_operations_total');
      reviews.release();
      const answers = await Promise.all([...mine, theirs]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([...Array(6).fill(200), 429]);
      expect(new Set(answers.filter((answer) => answer.status === 200).map((answer) => JSON.stringify(answer.body))).size).toBe(1);
      expect(reviews.graphqlRequests - callsBefore).toBe(2);
      expect(await readCounter(gateway.url, 'gateway_shared_operations_total')).toBe(sharedBefore + 4);
    } finally {
      reviews.mode = 'forward';
      reviews.release();
      await system.stopGateway(gateway.name);
    }
  });
});
