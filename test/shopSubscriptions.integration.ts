import { createClient as createSseClient } from 'graphql-sse';
import { createClient, type Client } from 'graphql-ws';
import jwt from 'jsonwebtoken';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEVELOPMENT_JWT_SECRET } from '../gateway/src/config.js';
import { postGraphQL, readCounter } from './support/http.js';
import { startInProcessSystem, type InProcessSystem } from './support/inProcessSystem.js';
import { createScratchDatabase, type ScratchDatabase } from './support/postgres.js';
import { startPrivateRedis, type PrivateRedis } from './support/redisServer.js';
import { readMultipart } from './support/multipart.js';
import { waitFor } from './support/waitFor.js';

const STEP_MS = 400;
const REVIEW_ADDED = 'subscription($upc: String) { reviewAdded(upc: $upc) { body author { username } product { name price inStock } } }';
const ORDER_STATUS = 'subscription($id: ID!) { orderStatusChanged(orderId: $id) { id status } }';

function bearer(sub: string, scope = ''): string {
  return `Bearer ${jwt.sign({ scope }, DEVELOPMENT_JWT_SECRET, { algorithm: 'HS256', subject: sub, expiresIn: 300 })}`;
}

interface Received {
  readonly events: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] }[];
  error: unknown;
  completed: boolean;
  stop: () => void;
}

function subscribeWs(client: Client, query: string, variables: Record<string, unknown> = {}): Received {
  const received: Omit<Received, 'stop'> = { events: [], error: undefined, completed: false };
  const stop = client.subscribe(
    { query, variables },
    {
      next: (value) => void received.events.push(value as Received['events'][number]),
      error: (error) => (received.error = error),
      complete: () => (received.completed = true),
    },
  );
  return Object.assign(received, { stop });
}

const modes = [
  { mode: 'embedded databases, events in process', onServers: false },
  { mode: 'PostgreSQL and Redis', onServers: true },
] as const;

/**
 * The shop's subscriptions end to end: clients on each protocol, the edge,
 * the gateway's per-event joins across subgraphs, the fulfilment worker and
 * the cache purges its steps send, in both the embedded default and on
 * PostgreSQL + Redis, where events also cross replicas.
 */
describe.each(modes)('shop subscriptions through the gateway, $mode', ({ onServers }) => {
  let system: InProcessSystem;
  let database: ScratchDatabase | undefined;
  let redis: PrivateRedis | undefined;
  let wsUrl: string;
  const clients: Client[] = [];
  const output: string[] = [];

  const wsClient = (authorization: string | undefined, url = wsUrl): Client => {
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      connectionParams: authorization === undefined ? {} : { authorization },
      retryAttempts: 0,
    });
    clients.push(client);
    return client;
  };
  const mutate = (text: string, variables: Record<string, unknown>, sub: string, url = system.gatewayUrl) =>
    postGraphQL(url, text, variables, { authorization: bearer(sub) });
  const addReview = (sub: string, upc: string, body: string) =>
    mutate('mutation($upc: String!, $body: String!) { addReview(upc: $upc, body: $body, rating: 4) { id } }', { upc, body }, sub);
  const placeOrder = async (sub: string, upc: string, key: string, url = system.gatewayUrl): Promise<string> => {
    const placed = await mutate(
      'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }',
      { input: { items: [{ upc, quantity: 1 }], idempotencyKey: key } },
      sub,
      url,
    );
    const id = (placed.body.data?.['placeOrder'] as { id?: string } | undefined)?.id;
    if (id === undefined) throw new Error(`placeOrder failed: ${JSON.stringify(placed.body)}`);
    return id;
  };

  beforeAll(async () => {
    database = onServers ? await createScratchDatabase('supergate_subscriptions') : undefined;
    redis = onServers ? await startPrivateRedis() : undefined;
    system = await startInProcessSystem({
      env: {
        NODE_ENV: 'test',
        FULFILMENT_STEP_MS: String(STEP_MS),
        RATE_LIMIT_REQUESTS: '100000',
        ...(database === undefined ? {} : { DATABASE_URL: database.url }),
        ...(redis === undefined ? {} : { REDIS_URL: redis.url }),
      },
      log: (line) => output.push(line),
    });
    wsUrl = system.gatewayUrl.replace('http', 'ws');
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) await client.dispose();
  });

  afterAll(async () => {
    await system?.stop();
    await redis?.stop();
    await database?.drop();
  });

  it('joins accounts, products and inventory into each reviewAdded event, on graphql-ws, SSE and multipart alike', async () => {
    const ws = subscribeWs(wsClient(undefined), REVIEW_ADDED, { upc: '3' });
    const sseEvents: unknown[] = [];
    const sse = createSseClient({ url: system.gatewayUrl, retryAttempts: 0 });
    const stopSse = sse.subscribe(
      { query: REVIEW_ADDED, variables: { upc: '3' } },
      { next: (value) => void sseEvents.push(value), error: () => undefined, complete: () => undefined },
    );
    const multipart = await fetch(system.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'multipart/mixed;subscriptionSpec="1.0",application/json' },
      body: JSON.stringify({ query: REVIEW_ADDED, variables: { upc: '3' } }),
    });
    const multipartEvents: unknown[] = [];
    const reading = readMultipart(multipart, (part) => {
      if ('payload' in part) multipartEvents.push(part['payload']);
      return multipartEvents.length === 0;
    });
    // All three are anonymous with one operation and variables. The two over fetch also send the same Accept-Language
    // (forwarded to subgraphs, so part of what may change an answer) and share one subscription to reviews.
    await waitFor('three subscribers', async () => (await readCounter(system.gatewayUrl, 'gateway_subscriptions_active')) >= 3, 10_000);
    await waitFor(
      'reviews to have the shared one',
      async () => (await readCounter(system.services.get('reviews')!.url, 'subgraph_subscriptions_active')) >= 1,
      10_000,
    );
    expect(await readCounter(system.services.get('reviews')!.url, 'subgraph_subscriptions_active')).toBe(2);
    expect((await addReview('u1', '3', 'Sturdy and quiet')).body.errors).toBeUndefined();
    await waitFor('every protocol to get the event', () => ws.events.length > 0 && sseEvents.length > 0 && multipartEvents.length > 0, 10_000);
    await reading;
    stopSse();
    sse.dispose();
    const [expected] = ws.events;
    expect(expected).toEqual({
      data: {
        reviewAdded: {
          body: 'Sturdy and quiet',
          author: { username: expect.any(String) },
          product: { name: expect.any(String), price: expect.any(Number), inStock: expect.any(Boolean) },
        },
      },
    });
    expect(sseEvents[0]).toEqual(expected);
    expect(multipartEvents[0]).toEqual(expected);
  });

  it('tells the buyer of each fulfilment step, and Query.order is never stale behind it', async () => {
    const id = await placeOrder('u3', '4', `follow-${String(onServers)}`);
    const orderQuery = 'query($id: ID!) { order(id: $id) { id status } }';
    // Cached now, as PLACED: the step must purge it.
    const first = await postGraphQL(system.gatewayUrl, orderQuery, { id }, { authorization: bearer('u3') });
    const buyer = subscribeWs(wsClient(bearer('u3')), ORDER_STATUS, { id });
    await waitFor('SHIPPED and DELIVERED', () => buyer.events.filter((event) => event.data !== undefined).length >= 2 || buyer.completed, 15_000);
    const statuses = buyer.events.map((event) => (event.data as { orderStatusChanged: { status: string } }).orderStatusChanged.status);
    // A subscriber joining right after placeOrder may see SHIPPED first or both steps; never anything out of order.
    expect(statuses.slice(-2)).toEqual(['SHIPPED', 'DELIVERED']);
    expect(first.body.data).toEqual({ order: { id, status: 'PLACED' } });
    await waitFor(
      'the cached order to follow',
      async () => {
        const now = await postGraphQL(system.gatewayUrl, orderQuery, { id }, { authorization: bearer('u3') });
        return JSON.stringify(now.body.data) === JSON.stringify({ order: { id, status: 'DELIVERED' } });
      },
      5_000,
    );
  });

  it("never tells another user of a buyer's order, and refuses anonymous callers", async () => {
    const id = await placeOrder('u4', '5', `private-${String(onServers)}`);
    const other = subscribeWs(wsClient(bearer('u5')), ORDER_STATUS, { id });
    const anonymous = subscribeWs(wsClient(undefined), ORDER_STATUS, { id });
    const admin = subscribeWs(wsClient(bearer('u6', 'admin')), ORDER_STATUS, { id });
    await waitFor('the refusals', () => (other.completed || other.error !== undefined) && (anonymous.completed || anonymous.error !== undefined), 10_000);
    const codeOf = (received: Received): unknown =>
      (Array.isArray(received.error) ? (received.error as Received['events'][number]['errors']) : received.events.at(-1)?.errors)?.[0]?.extensions?.['code'];
    expect(codeOf(other)).toBe('FORBIDDEN');
    expect(codeOf(anonymous)).toBe('UNAUTHENTICATED');
    expect(other.events.some((event) => event.data !== undefined && event.data !== null)).toBe(false);
    await waitFor('the admin to see the order ship', () => admin.events.some((event) => event.data !== undefined && event.data !== null), 10_000);
  });

  it('applies query limits to subscriptions before anything is subscribed', async () => {
    const deep = `subscription { reviewAdded { product { reviews { product { reviews { product { reviews { product { reviews { product { reviews { product { name } } } } } } } } } } } } }`;
    const refused = subscribeWs(wsClient(undefined), deep);
    await waitFor('the refusal', () => refused.error !== undefined || refused.completed, 5_000);
    expect(refused.error).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', limit: 'depth' }) })]);
  });

  (onServers ? it : it.skip)(
    'delivers events across replicas: an order placed and cancelled through gateway A and orders 1 reaches a subscriber on gateway B fed by orders 2',
    async () => {
      const ordersTwo = await system.addSubgraphReplica('orders');
      const gatewayB = await system.addGateway({ SUBGRAPH_ORDERS_URL: ordersTwo.url });
      const id = await placeOrder('u7', '6', 'replicas');
      const onB = subscribeWs(wsClient(bearer('u7'), gatewayB.url.replace('http', 'ws')), ORDER_STATUS, { id });
      await waitFor('orders 2 to have the subscriber', async () => (await readCounter(ordersTwo.url, 'subgraph_subscriptions_active')) >= 1, 10_000);
      await mutate('mutation($id: ID!) { cancelOrder(id: $id) { id status } }', { id }, 'u7');
      await waitFor('the cancellation on gateway B', () => onB.events.length > 0, 10_000);
      expect(onB.events[0]).toEqual({ data: { orderStatusChanged: { id, status: 'CANCELLED' } } });
    },
  );
});
