import { randomUUID } from 'node:crypto';
import { createClient } from '@keyv/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EdgeRateLimiter } from './EdgeRateLimiter.js';

const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const settings = { requests: 3, windowSeconds: 60, costPerWindow: 100 };
const addReview = { limit: { limit: 2, duration: 60 }, uses: 1 };

describe('edge rate limits', () => {
  const redis = createClient({ url: REDIS_URL });
  beforeAll(async () => {
    await redis.connect();
  });
  afterAll(async () => {
    await redis.close();
  });

  it('turns a caller away after their request budget, with the wait until the window resets', async () => {
    const limiter = new EdgeRateLimiter({ settings });
    const caller = `user:${randomUUID()}`;
    for (let i = 0; i < 3; i += 1) expect(await limiter.spendRequest(caller)).toBeNull();
    const rejection = await limiter.spendRequest(caller);
    expect(rejection).toMatchObject({ rule: 'requests', limit: 3, windowSeconds: 60 });
    expect(rejection?.retryAfterSeconds).toBeGreaterThanOrEqual(59);
    expect(await limiter.spendRequest(`user:${randomUUID()}`)).toBeNull();
  });

  it('counts each use of a limited field, aliases included, and spends the cost budget', async () => {
    const limiter = new EdgeRateLimiter({ settings });
    const caller = `user:${randomUUID()}`;
    expect(await limiter.spendOperation(caller, 10, new Map([['Mutation.addReview', { ...addReview, uses: 2 }]]))).toBeNull();
    expect(await limiter.spendOperation(caller, 10, new Map([['Mutation.addReview', addReview]]))).toMatchObject({ rule: 'Mutation.addReview', limit: 2 });
    // The refused operation spent no cost, so 90 more fit and one more point does not.
    expect(await limiter.spendOperation(caller, 90, new Map())).toBeNull();
    expect(await limiter.spendOperation(caller, 1, new Map())).toMatchObject({ rule: 'cost', limit: 100 });
  });

  it('shares counters between gateways through Redis', async () => {
    const [first, second] = [new EdgeRateLimiter({ settings, redis }), new EdgeRateLimiter({ settings, redis })];
    const caller = `user:${randomUUID()}`;
    expect(await first.spendOperation(caller, 1, new Map([['Mutation.addReview', addReview]]))).toBeNull();
    expect(await second.spendOperation(caller, 1, new Map([['Mutation.addReview', addReview]]))).toBeNull();
    expect(await first.spendOperation(caller, 1, new Map([['Mutation.addReview', addReview]]))).toMatchObject({ rule: 'Mutation.addReview' });
    expect(await redis.exists(`supergate:rateLimit:2/60s:${caller}:Mutation.addReview`)).toBe(1);
  });

  it('keeps limiting per process when Redis is unreachable', async () => {
    const unreachable = createClient({ url: 'redis://127.0.0.1:1', disableOfflineQueue: true, socket: { reconnectStrategy: false } });
    unreachable.on('error', () => undefined);
    const limiter = new EdgeRateLimiter({ settings, redis: unreachable });
    const caller = `user:${randomUUID()}`;
    for (let i = 0; i < 3; i += 1) expect(await limiter.spendRequest(caller)).toBeNull();
    expect(await limiter.spendRequest(caller)).toMatchObject({ rule: 'requests' });
  });
});
