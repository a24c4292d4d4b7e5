import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BaseContext } from '@apollo/server';
import type { Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { developmentGatewaySecret, GATEWAY_ISSUER, GATEWAY_TOKEN_HEADER, GatewayTokenSigner } from '../lib/gatewayToken.js';
import { GatewayTokenVerifier } from '../lib/GatewayTokenVerifier.js';
import { CACHE_PURGE_CHANNEL } from '../lib/cachePurge.js';
import { startSubgraph, type RunningSubgraph, type SubgraphDefinition } from '../subgraphs/kit/startSubgraph.js';
import { activeSubscriptions, connectSubscriber, eventually, subscribeWith, type Subscribed } from '../subgraphs/kit/testing.js';
import { subgraph as inventoryDefinition } from '../subgraphs/inventory/server.js';
import { subgraph as ordersDefinition } from '../subgraphs/orders/server.js';
import { subgraph as productsDefinition } from '../subgraphs/products/server.js';
import { subgraph as reviewsDefinition } from '../subgraphs/reviews/server.js';
import { createScratchDatabase, type ScratchDatabase } from './support/postgres.js';

// The shop's subscriptions on its own subgraphs, as the gateway reaches them: graphql-ws over each
// subgraph's port, the gateway's token on the connection and the caller's on each subscription.

const gateway = new GatewayTokenSigner(developmentGatewaySecret(), GATEWAY_ISSUER);
const caller = (sub: string, scopes: string[] = []) => gateway.sign(sub, scopes);
const STEP_MS = 200;

const modes = [
  { mode: 'embedded databases, events and fulfilment in process', redis: undefined },
  // Its own Redis database number for BullMQ's keys; pub/sub channels span every database.
  { mode: 'PostgreSQL and Redis', redis: 'redis://127.0.0.1:6379/13' },
] as const;

/** A loopback server recording each POST /cache/invalidate, as the gateway's route would receive it. */
async function recordingGateway(): Promise<{ url: string; purges: { tags: string[]; signedBy: string | null }[]; server: Server }> {
  const verifier = new GatewayTokenVerifier({
    gatewayPublicKey: undefined,
    gatewayJwksUrl: undefined,
    serviceKeys: new Map(),
    sharedSecret: developmentGatewaySecret(),
    jwksCacheMaxAgeMs: 60_000,
  });
  const purges: { tags: string[]; signedBy: string | null }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const header = req.headers[GATEWAY_TOKEN_HEADER];
      void verifier.verify(typeof header === 'string' ? header : undefined).then((identity) => {
        purges.push({ ...(JSON.parse(body) as { tags: string[] }), signedBy: identity?.issuer ?? null });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"purged":1}');
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cache/invalidate`, purges, server };
}

async function post(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ data?: Record<string, unknown> | null; errors?: unknown[] }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [GATEWAY_TOKEN_HEADER]: token },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Record<string, unknown> | null; errors?: unknown[] };
}

describe.each(modes)('subscriptions on the shop’s subgraphs, $mode', ({ redis }) => {
  let scratch: ScratchDatabase | undefined;
  let purgeRecorder: Awaited<ReturnType<typeof recordingGateway>> | undefined;
  let purgeListener: Redis | undefined;
  const purgedTags: string[] = [];
  const running = new Map<string, RunningSubgraph>();
  const clients: Client[] = [];
  let env: Record<string, string>;
  let keyNumber = 0;

  const start = async <T extends BaseContext>(
    definition: SubgraphDefinition<T>,
    name: string,
    extra: Record<string, string> = {},
  ): Promise<RunningSubgraph> => {
    const subgraph = await startSubgraph(definition, { env: { ...env, ...extra } });
    running.set(name, subgraph);
    return subgraph;
  };
  const url = (name: string): string => running.get(name)!.url;

  const connect = async (name: string): Promise<Client> => {
    const { client } = connectSubscriber(url(name), { [GATEWAY_TOKEN_HEADER]: await gateway.sign(null) });
    clients.push(client);
    return client;
  };

  /** Subscribes as `token`'s caller, resolving once the subgraph listens (or has answered with an error). */
  const follow = async (name: string, token: string, query: string, variables: Record<string, unknown>): Promise<Subscribed> => {
    const before = await activeSubscriptions(running.get(name)!.metricsUrl);
    const subscribed = subscribeWith(await connect(name), { query, variables, extensions: { [GATEWAY_TOKEN_HEADER]: token } });
    let ended = false;
    void subscribed.ended.then(() => (ended = true));
    await eventually('the subscription to listen or be refused', async () => ended || (await activeSubscriptions(running.get(name)!.metricsUrl)) > before);
    return subscribed;
  };

  const placeOrder = async (buyer: string, upc: string, orders = 'orders'): Promise<string> => {
    keyNumber += 1;
    const answer = await post(url(orders), await caller(buyer), 'mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }', {
      input: { idempotencyKey: `subscriptions-${keyNumber}`, items: [{ upc, quantity: 1 }] },
    });
    const placed = answer.data?.['placeOrder'] as { id: string; status: string } | undefined;
    if (placed === undefined) throw new Error(`placing an order failed: ${JSON.stringify(answer)}`);
    return placed.id;
  };

  const ORDER_STATUS = 'subscription ($id: ID!) { orderStatusChanged(orderId: $id) { id status } }';
  const statuses = (subscribed: Subscribed) =>
    subscribed.results.map((result) => (result.data?.['orderStatusChanged'] as { status: string } | undefined)?.status ?? result.errors);

  beforeAll(async () => {
    if (redis !== undefined) {
      const admin = new Redis(redis);
      await admin.flushdb();
      admin.disconnect();
      purgeListener = new Redis(redis);
      purgeListener.on('message', (_channel: string, message: string) => purgedTags.push(...(JSON.parse(message) as { tags: string[] }).tags));
      await purgeListener.subscribe(CACHE_PURGE_CHANNEL);
    } else {
      purgeRecorder = await recordingGateway();
    }
    scratch = redis === undefined ? undefined : await createScratchDatabase('supergate_subscriptions');
    env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      PORT: '0',
      FULFILMENT_STEP_MS: String(STEP_MS),
      ...(scratch === undefined ? {} : { DATABASE_URL: scratch.url }),
      ...(redis === undefined ? {} : { REDIS_URL: redis }),
      ...(purgeRecorder === undefined ? {} : { CACHE_PURGE_URL: purgeRecorder.url }),
    };
    await Promise.all([start(inventoryDefinition, 'inventory'), start(productsDefinition, 'products'), start(reviewsDefinition, 'reviews')]);
    const peers = { SUBGRAPH_PRODUCTS_URL: url('products'), SUBGRAPH_INVENTORY_URL: url('inventory') };
    await start(ordersDefinition, 'orders', peers);
    if (redis !== undefined) await start(ordersDefinition, 'orders-2', peers);
  }, 120_000);

  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await Promise.all([...running.values()].map((subgraph) => subgraph.stop()));
    purgeListener?.disconnect();
    await new Promise((resolve) => (purgeRecorder === undefined ? resolve(undefined) : purgeRecorder.server.close(resolve)));
    await scratch?.drop();
  });

  const purges = (): string[] => (purgeRecorder === undefined ? purgedTags : purgeRecorder.purges.flatMap((purge) => purge.tags));

  it('refuses to tell anyone but the buyer about an order, and an unknown order alike, with FORBIDDEN', async () => {
    const id = await placeOrder('u31', '911');
    const refused = {
      errors: [
        {
          message: 'Only the buyer or an admin can follow this order.',
          locations: [expect.any(Object)],
          path: ['orderStatusChanged'],
          extensions: { code: 'FORBIDDEN' },
        },
      ],
    };
    for (const orderId of [id, '00000000-0000-0000-0000-000000000000']) {
      const subscribed = await follow('orders', await caller('u32'), ORDER_STATUS, { id: orderId });
      expect(await subscribed.ended).toEqual({ completed: true });
      expect(subscribed.results).toEqual([refused]);
    }
  });

  it('ships and then delivers a placed order, which its buyer and an admin see, and has the gateway purge it each time', async () => {
    const id = await placeOrder('u33', '912');
    const [buyer, admin] = [
      await follow('orders', await caller('u33'), ORDER_STATUS, { id }),
      await follow('orders', await caller('u1', ['admin']), ORDER_STATUS, { id }),
    ];
    await eventually('both steps', () => buyer.results.length === 2 && admin.results.length === 2);
    expect(statuses(buyer)).toEqual(['SHIPPED', 'DELIVERED']);
    expect(statuses(admin)).toEqual(['SHIPPED', 'DELIVERED']);
    await eventually('two purges of the order', () => purges().filter((tag) => tag === `Order:${id}`).length === 2);
    expect(purges()).toContain('User:u33');
    if (purgeRecorder !== undefined) expect(purgeRecorder.purges.every((purge) => purge.signedBy === 'orders')).toBe(true);
  });

  it('tells the buyer of a cancel from PLACED, and never ships the cancelled order', async () => {
    const id = await placeOrder('u34', '913');
    const buyer = await follow('orders', await caller('u34'), ORDER_STATUS, { id });
    const cancelled = await post(url('orders'), await caller('u34'), 'mutation ($id: ID!) { cancelOrder(id: $id) { status } }', { id });
    expect(cancelled).toMatchObject({ data: { cancelOrder: { status: 'CANCELLED' } } });
    await eventually('the cancel', () => buyer.results.length === 1);
    // Well past both steps: still cancelled, and nothing more was said.
    await new Promise((resolve) => setTimeout(resolve, 3 * STEP_MS));
    expect(statuses(buyer)).toEqual(['CANCELLED']);
    const read = await post(url('orders'), await caller('u34'), 'query ($id: ID!) { order(id: $id) { status } }', { id });
    expect(read).toEqual({ data: { order: { status: 'CANCELLED' } } });
  });

  it.runIf(redis !== undefined)('tells a subscriber on one orders replica of a change made on another', async () => {
    const id = await placeOrder('u35', '914', 'orders');
    const onSecond = await follow('orders-2', await caller('u35'), ORDER_STATUS, { id });
    await post(url('orders'), await caller('u35'), 'mutation ($id: ID!) { cancelOrder(id: $id) { status } }', { id });
    await eventually('the cancel on the other replica', () => onSecond.results.length === 1);
    expect(statuses(onSecond)).toEqual(['CANCELLED']);
  });

  it('reports stock changes of the products followed: taken by an order, put back by its cancel', async () => {
    const STOCK = 'subscription ($upcs: [String!]!) { stockChanged(upcs: $upcs) { upc quantity } }';
    const before = await post(
      url('inventory'),
      await gateway.sign(null),
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Product { quantity } } }',
      {
        r: [{ __typename: 'Product', upc: '915' }],
      },
    );
    const quantity = (before.data?.['_entities'] as { quantity: number }[])[0]!.quantity;
    const followed = await follow('inventory', await gateway.sign(null), STOCK, { upcs: ['915', '916'] });
    const id = await placeOrder('u36', '915');
    await post(url('orders'), await caller('u36'), 'mutation ($id: ID!) { cancelOrder(id: $id) { status } }', { id });
    await eventually('the reservation and the release', () => followed.results.length === 2);
    expect(followed.results).toEqual([
      { data: { stockChanged: { upc: '915', quantity: quantity - 1 } } },
      { data: { stockChanged: { upc: '915', quantity } } },
    ]);
  });

  it.each([
    ['no products', []],
    ['101 products', Array.from({ length: 101 }, (_, i) => String(i + 1))],
  ])('refuses to follow %s with BAD_USER_INPUT', async (_name, upcs) => {
    const refused = await follow('inventory', await gateway.sign(null), 'subscription ($upcs: [String!]!) { stockChanged(upcs: $upcs) { upc } }', { upcs });
    expect(await refused.ended).toEqual({ completed: true });
    expect(refused.results).toEqual([
      {
        errors: [
          {
            message: `stockChanged follows 1 to 100 products; got ${upcs.length}.`,
            locations: [expect.any(Object)],
            path: ['stockChanged'],
            extensions: { code: 'BAD_USER_INPUT', argumentName: 'upcs' },
          },
        ],
      },
    ]);
  });

  it('reports new reviews to those following every review and to those following that product only', async () => {
    const REVIEWS = 'subscription ($upc: String) { reviewAdded(upc: $upc) { body rating product { upc } } }';
    const all = await follow('reviews', await gateway.sign(null), REVIEWS, {});
    const ofOne = await follow('reviews', await gateway.sign(null), REVIEWS, { upc: '917' });
    const add = async (upc: string, body: string) =>
      post(url('reviews'), await caller('u37'), 'mutation ($upc: String!, $body: String!) { addReview(upc: $upc, body: $body, rating: 4) { id } }', {
        upc,
        body,
      });
    await add('919', 'Sturdy.');
    await add('917', 'Bright enough.');
    await eventually('the reviews', () => all.results.length >= 2 && ofOne.results.length === 1);
    const mine = (subscribed: Subscribed) =>
      subscribed.results
        .map((result) => result.data?.['reviewAdded'])
        .filter((review) => ['917', '919'].includes((review as { product: { upc: string } }).product.upc));
    expect(mine(all)).toEqual([
      { body: 'Sturdy.', rating: 4, product: { upc: '919' } },
      { body: 'Bright enough.', rating: 4, product: { upc: '917' } },
    ]);
    expect(ofOne.results).toEqual([{ data: { reviewAdded: { body: 'Bright enough.', rating: 4, product: { upc: '917' } } } }]);
  });
});
