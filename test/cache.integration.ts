import { createHash, randomUUID } from 'node:crypto';
import { createClient } from '@keyv/redis';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { DEVELOPMENT_JWT_SECRET } from '../gateway/src/config.js';
import { CACHE_PURGE_CHANNEL } from '../lib/cachePurge.js';
import { DEVELOPMENT_GATEWAY_SECRET, GATEWAY_TOKEN_AUDIENCE, GATEWAY_TOKEN_HEADER, GatewayTokenSigner } from '../lib/gatewayToken.js';
import { readPrivateKey } from '../lib/identityKeys.js';
import { startFaultyProxy, type FaultyProxy } from './support/faultyProxy.js';
import { readCounter } from './support/http.js';
import { startInProcessSystem, type InProcessSystem } from './support/inProcessSystem.js';
import { startPrivateRedis, type PrivateRedis } from './support/redisServer.js';
import { waitFor } from './support/waitFor.js';

const SUBGRAPHS = ['accounts', 'products', 'inventory', 'reviews', 'orders'];

function bearer(sub: string, scope = ''): Record<string, string> {
  return { authorization: `Bearer ${jwt.sign({ scope }, DEVELOPMENT_JWT_SECRET, { algorithm: 'HS256', subject: sub, expiresIn: 300 })}` };
}

interface Answer {
  status: number;
  headers: Headers;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[] };
}

async function post(url: string, payload: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(payload) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Answer['body'] };
}

describe.each([
  ['in process memory (the default)', false],
  ['shared through Redis', true],
])('the response cache and persisted queries, %s', (_, onRedis: boolean) => {
  let system: InProcessSystem;
  let redis: PrivateRedis | undefined;
  let reviewsProxy: FaultyProxy;
  /** Another gateway: a replica sharing the cache through Redis, or, in memory, the same gateway again. */
  let replica: string;
  let tightBudget: string;
  let heldReviews: string;
  const output: string[] = [];
  const itOnRedis = onRedis ? it : it.skip;
  const itInMemory = onRedis ? it.skip : it;

  const subgraphRequests = async (): Promise<number> => {
    let total = 0;
    for (const name of SUBGRAPHS) total += await readCounter(system.services.get(name)!.url, 'subgraph_graphql_requests_total');
    return total;
  };
  const query = (text: string, headers: Record<string, string> = {}, url = system.gatewayUrl) => post(url, { query: text }, headers);

  beforeAll(async () => {
    redis = onRedis ? await startPrivateRedis() : undefined;
    system = await startInProcessSystem({
      env: { NODE_ENV: 'test', REDIS_URL: redis?.url ?? '', RATE_LIMIT_REQUESTS: '100000' },
      log: (line) => output.push(line),
    });
    replica = onRedis ? (await system.addGateway()).url : system.gatewayUrl;
    tightBudget = (await system.addGateway({ RATE_LIMIT_REQUESTS: '3' })).url;
    reviewsProxy = await startFaultyProxy(system.services.get('reviews')!.url);
    heldReviews = (await system.addGateway({ SUBGRAPH_REVIEWS_URL: reviewsProxy.url })).url;
  });

  afterAll(async () => {
    await system?.stop();
    await reviewsProxy?.close();
    await redis?.stop();
  });

  it('answers a repeated query from the cache without planning or calling any subgraph, with Age and X-Cache', async () => {
    const text = '{ product(upc: "11") { name price } }';
    const miss = await query(text);
    expect(miss.status).toBe(200);
    expect(miss.headers.get('x-cache')).toBe('MISS');
    expect(miss.headers.get('cache-control')).toBe('max-age=300, public');
    const before = await subgraphRequests();
    const hit = await query(text);
    expect(await subgraphRequests()).toBe(before);
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(Number(hit.headers.get('age'))).toBeGreaterThanOrEqual(0);
    expect(hit.headers.get('cache-control')).toMatch(/^max-age=\d+, public$/);
    expect(hit.body).toEqual(miss.body);
  });

  it('takes the strictest hint of every subgraph involved, and never caches an answer with errors', async () => {
    const mixed = await query('{ product(upc: "12") { name inStock } }');
    expect(mixed.headers.get('cache-control')).toBe('max-age=5, public');
    const withError = '{ product(upc: "12") { name } user(id: "u3") { email } }';
    for (let i = 0; i < 2; i += 1) {
      const answer = await query(withError);
      expect(answer.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.headers.get('x-cache')).toBe('MISS');
    }
  });

  it('a shared answer is served to a replica too, and a private answer never reaches another user', async () => {
    const text = '{ product(upc: "13") { name } }';
    await query(text);
    expect((await query(text, {}, replica)).headers.get('x-cache')).toBe('HIT');

    const mine = '{ user(id: "u1") { username email } }';
    const owner = await query(mine, bearer('u1'));
    expect(owner.headers.get('cache-control')).toBe('max-age=300, private');
    expect((owner.body.data as { user: { email: string } }).user.email).toContain('@');
    expect((await query(mine, bearer('u1'), replica)).headers.get('x-cache')).toBe('HIT');
    for (const other of [bearer('u2'), {}]) {
      const answer = await query(mine, other);
      expect(answer.headers.get('x-cache')).not.toBe('HIT');
      expect(answer.body.data).toEqual({ user: { username: 'user1', email: null } });
      expect(answer.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    }
  });

  it('never hands an answer computed for wider scopes to the same user with a weaker token', async () => {
    const anothersEmail = '{ user(id: "u12") { username email } }';
    const asAdmin = await query(anothersEmail, bearer('u11', 'admin'));
    expect((asAdmin.body.data as { user: { email: string | null } }).user.email).toContain('@');
    expect((await query(anothersEmail, bearer('u11', 'admin'))).headers.get('x-cache')).toBe('HIT');
    const before = await subgraphRequests();
    const plain = await query(anothersEmail, bearer('u11'));
    expect(plain.headers.get('x-cache')).not.toBe('HIT');
    expect(await subgraphRequests()).toBeGreaterThan(before);
    expect(plain.body.data).toEqual({ user: { username: 'user12', email: null } });
    expect(plain.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });

  it('keeps answers for different forwarded headers apart', async () => {
    const text = '{ product(upc: "23") { name } }';
    expect((await query(text, { 'accept-language': 'de' })).headers.get('x-cache')).toBe('MISS');
    expect((await query(text, { 'accept-language': 'de' })).headers.get('x-cache')).toBe('HIT');
    expect((await query(text, { 'accept-language': 'fr' })).headers.get('x-cache')).toBe('MISS');
  });

  it('does not store an answer that joined a subgraph call started before a purge', async () => {
    // Two operations, so two cache entries, whose reviews calls are the same and so shared.
    const text = '{ product(upc: "41") { reviews(first: 100) { body } } }';
    const joining = '{ again: product(upc: "41") { reviews(first: 100) { body } } }';
    const bodies = (answer: Answer) => (Object.values(answer.body.data ?? {})[0] as { reviews: { body: string }[] }).reviews.map((r) => r.body);
    const shared = () => readCounter(heldReviews, 'gateway_subgraph_shared_fetches_total');
    reviewsProxy.mode = 'hold-query-answers';
    try {
      // The first read's reviews call is answered before the write, but the answer is held; the write passes and purges Product:41.
      const first = query(text, {}, heldReviews);
      await expect.poll(() => reviewsProxy.held, { timeout: 10_000 }).toBe(1);
      const body = `Written while a read was in flight ${randomUUID()}`;
      const added = await post(heldReviews, { query: `mutation { addReview(upc: "41", body: "${body}", rating: 5) { id } }` }, bearer('u40'));
      expect(added.body.errors).toBeUndefined();
      // The second read starts after the purge and joins the held call, so its answer is as old as the first's.
      const joinedBefore = await shared();
      const second = query(joining, {}, heldReviews);
      await expect.poll(shared, { timeout: 10_000 }).toBe(joinedBefore + 1);
      expect(reviewsProxy.held).toBe(1);
      reviewsProxy.release();
      const answers = await Promise.all([first, second]);
      for (const answer of answers) expect(bodies(answer)).not.toContain(body);
      reviewsProxy.mode = 'forward';
      for (const again of [text, joining]) {
        const after = await query(again, {}, heldReviews);
        expect(after.headers.get('x-cache')).toBe('MISS');
        expect(bodies(after)).toContain(body);
      }
    } finally {
      reviewsProxy.mode = 'forward';
      reviewsProxy.release();
    }
  });

  it('never serves a cached answer past the edge checks', async () => {
    const adminOnly = '{ users(first: 2) { totalCount } }';
    expect((await query(adminOnly, bearer('u1', 'admin'))).body.data).toEqual({ users: { totalCount: 60 } });
    const refused = await query(adminOnly, bearer('u1'));
    expect(refused.body).toMatchObject({ data: null, errors: [{ extensions: { code: 'FORBIDDEN' } }] });
    const text = '{ product(upc: "14") { name } }';
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await query(text, bearer('u9'), tightBudget)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('a client sending Cache-Control: no-cache skips the read and refreshes the entry', async () => {
    const text = '{ product(upc: "15") { name } }';
    await query(text);
    const before = await subgraphRequests();
    const fresh = await query(text, { 'cache-control': 'no-cache' });
    expect(fresh.headers.get('x-cache')).toBe('MISS');
    expect(await subgraphRequests()).toBeGreaterThan(before);
    const hit = await query(text);
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(Number(hit.headers.get('age'))).toBeLessThanOrEqual(1);
  });

  it('shows a new review right after addReview returns, on every replica', async () => {
    const text = '{ product(upc: "16") { averageRating reviews(first: 50) { body } } }';
    const bodies = async (url: string) =>
      ((await query(text, {}, url)).body.data as { product: { reviews: { body: string }[] } }).product.reviews.map((r) => r.body);
    await bodies(system.gatewayUrl);
    await bodies(replica);
    expect((await query(text, {}, replica)).headers.get('x-cache')).toBe('HIT');
    const body = `Fresh review ${randomUUID()}`;
    const added = await post(replica, { query: `mutation { addReview(upc: "16", body: "${body}", rating: 5) { id } }` }, bearer('u20'));
    expect(added.body.errors).toBeUndefined();
    expect(await bodies(system.gatewayUrl)).toContain(body);
    expect(await bodies(replica)).toContain(body);
  });

  it('never serves a stale read after a write, with reads and writes interleaved across the gateways', async () => {
    const gateways = [...new Set([system.gatewayUrl, replica])];
    const text = '{ product(upc: "17") { reviews(first: 100) { body } } }';
    const read = async (url: string) =>
      ((await query(text, {}, url)).body.data as { product: { reviews: { body: string }[] } }).product.reviews.map((r) => r.body);
    const written: string[] = [];
    let stale = 0;
    for (let round = 0; round < 4; round += 1) {
      // Readers keep both gateways' entries warm while a write lands on one of them.
      const warm = Promise.all(gateways.flatMap((url) => [read(url), read(url)]));
      const body = `Interleaved ${round} ${randomUUID()}`;
      const writer = gateways[round % gateways.length]!;
      const mutation = post(writer, { query: `mutation { addReview(upc: "17", body: "${body}", rating: 4) { id } }` }, bearer(`u${30 + round}`));
      await Promise.all([warm, mutation]);
      written.push(body);
      // Every read that starts after the write's answer must see it, on either gateway.
      for (const url of gateways) {
        const seen = await read(url);
        stale += written.filter((w) => !seen.includes(w)).length;
      }
    }
    expect(stale).toBe(0);
  });

  it('purges on demand through POST /cache/invalidate, for admins only', async () => {
    const text = '{ product(upc: "18") { name } }';
    await query(text);
    expect((await query(text)).headers.get('x-cache')).toBe('HIT');
    const invalidate = (headers: Record<string, string>, body: unknown) =>
      fetch(new URL('/cache/invalidate', system.gatewayUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    expect((await invalidate({}, { tags: ['Product:18'] })).status).toBe(401);
    expect((await invalidate(bearer('u1'), { tags: ['Product:18'] })).status).toBe(403);
    expect((await invalidate(bearer('u1', 'admin'), { tags: 'Product:18' })).status).toBe(400);
    const purged = await invalidate(bearer('u1', 'admin'), { tags: ['Product:18'] });
    expect(purged.status).toBe(200);
    expect(((await purged.json()) as { purged: number }).purged).toBeGreaterThanOrEqual(1);
    expect((await query(text, {}, replica)).headers.get('x-cache')).toBe('MISS');
  });

  it("purges on a service's own signed call, and refuses a user's token or a forged one in its place", async () => {
    const text = '{ product(upc: "17") { name } }';
    await query(text);
    expect((await query(text)).headers.get('x-cache')).toBe('HIT');
    const invalidate = (token: string) =>
      fetch(new URL('/cache/invalidate', system.gatewayUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', [GATEWAY_TOKEN_HEADER]: token },
        body: JSON.stringify({ tags: ['Product:17'] }),
      });
    const ordersKey = readPrivateKey('SERVICE_SIGNING_KEY', system.identityKeys!.services.get('orders')!.privateKey)!;
    const asOrders = new GatewayTokenSigner(ordersKey, 'orders');
    const developmentSecret = new TextEncoder().encode(DEVELOPMENT_GATEWAY_SECRET);
    const withSecret = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer('orders').setAudience(GATEWAY_TOKEN_AUDIENCE).setExpirationTime('60s');
    // A user named in it, the gateway's own issuer, and a secret the gateway does not sign with are all refused.
    expect((await invalidate(await asOrders.sign('u1'))).status).toBe(401);
    expect((await invalidate(await new GatewayTokenSigner(ordersKey, 'gateway').sign(null))).status).toBe(401);
    expect((await invalidate(await withSecret.sign(developmentSecret))).status).toBe(401);
    expect((await query(text)).headers.get('x-cache')).toBe('HIT');
    const purged = await invalidate(await asOrders.sign(null));
    expect(purged.status).toBe(200);
    expect((await query(text, {}, replica)).headers.get('x-cache')).toBe('MISS');
  });

  itOnRedis('purges on every replica when a service publishes on the purge channel', async () => {
    const text = '{ product(upc: "16") { name } }';
    await query(text);
    await query(text, {}, replica);
    expect((await query(text, {}, replica)).headers.get('x-cache')).toBe('HIT');
    const publisher = createClient({ url: redis!.url });
    await publisher.connect();
    try {
      await publisher.publish(CACHE_PURGE_CHANNEL, 'not json');
      await publisher.publish(CACHE_PURGE_CHANNEL, JSON.stringify({ tags: ['Product:16'] }));
      await waitFor('the purge to land', async () => (await query(text, {}, replica)).headers.get('x-cache') === 'MISS', 10_000);
    } finally {
      await publisher.close();
    }
    expect(output.some((line) => line.includes('ignored a message on supergate:cache-purge'))).toBe(true);
  });

  it('registers a persisted query on one replica and runs it by hash on another', async () => {
    const text = `{ product(upc: "19") { name } } # ${randomUUID()}`;
    const sha256Hash = createHash('sha256').update(text).digest('hex');
    const persisted = { persistedQuery: { version: 1, sha256Hash } };
    const unknown = await post(system.gatewayUrl, { extensions: persisted });
    expect(unknown.body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await post(system.gatewayUrl, { query: text, extensions: persisted })).status).toBe(200);
    const byHash = await post(replica, { extensions: persisted });
    expect(byHash.status).toBe(200);
    expect(byHash.body.data).toEqual({ product: { name: expect.any(String) } });
    const mismatch = await post(system.gatewayUrl, { query: '{ product(upc: "20") { name } }', extensions: persisted });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors?.[0]?.message).toMatch(/sha|hash/i);
  });

  itInMemory("keeps an answer in one gateway's memory to that gateway, as each process keeps its own", async () => {
    const text = '{ product(upc: "24") { name } }';
    await query(text);
    expect((await query(text)).headers.get('x-cache')).toBe('HIT');
    // Another gateway in this process, without Redis, has a cache of its own: replicas here share only what Redis holds.
    expect((await query(text, {}, tightBudget)).headers.get('x-cache')).toBe('MISS');
  });

  itOnRedis('treats an entry that does not decode as a miss and replaces it', async () => {
    const text = '{ product(upc: "21") { name } }';
    await query(text);
    const client = createClient({ url: redis!.url });
    await client.connect();
    try {
      const keys = await client.keys('supergate:response*');
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) await client.set(key, '{not json');
      const answer = await query(text);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-cache')).toBe('MISS');
      expect((await query(text)).headers.get('x-cache')).toBe('HIT');
    } finally {
      await client.close();
    }
  });

  itOnRedis('answers from the subgraphs while Redis is away and caches again when it is back', async () => {
    const text = '{ product(upc: "22") { name } }';
    await redis!.stop();
    const during = await query(text);
    expect(during.status).toBe(200);
    expect(during.body.errors).toBeUndefined();
    expect(during.headers.get('x-cache')).toBe('MISS');
    await redis!.start();
    await expect
      .poll(
        async () => {
          await query(text);
          return (await query(text)).headers.get('x-cache');
        },
        { timeout: 15_000, interval: 300 },
      )
      .toBe('HIT');
  });
});
