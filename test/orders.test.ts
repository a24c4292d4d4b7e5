import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloServer, BaseContext } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphqlRequestListener } from '../lib/http/graphqlRequestListener.js';
import type { Database } from '../subgraphs/kit/database.js';
import { openMigratedDatabase } from '../subgraphs/kit/testing.js';
import { createContext as inventoryContext } from '../subgraphs/inventory/context.js';
import { createInventoryServer } from '../subgraphs/inventory/server.js';
import { createContext as ordersContext, type OrdersContext } from '../subgraphs/orders/context.js';
import { createPeerClient } from '../subgraphs/orders/peerClient.js';
import type { Peers } from '../subgraphs/orders/peers.js';
import { releaseAbandonedOrders } from '../subgraphs/orders/releaseAbandonedOrders.js';
import { createOrdersServer } from '../subgraphs/orders/server.js';
import { createContext as productsContext } from '../subgraphs/products/context.js';
import { createProductsServer } from '../subgraphs/products/server.js';
import { createScratchDatabase, type ScratchDatabase } from './support/postgres.js';

interface CancelOrderAnswer {
  data?: { cancelOrder: { id: string; status: string } } | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  extensions?: Record<string, unknown>;
}

const modes = [
  { mode: 'the embedded database', postgres: false },
  { mode: 'PostgreSQL', postgres: true },
] as const;

const migrations = (service: string) => new URL(`../subgraphs/${service}/migrations/`, import.meta.url);

interface Item {
  upc: string;
  quantity: number;
}

interface PlaceOrderAnswer {
  data?: { placeOrder: { id: string; items: { quantity: number; product: { upc: string } }[] } } | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** A subgraph's server on a loopback port, answering without a gateway token. */
async function serve<TContext extends BaseContext>(server: ApolloServer<TContext>, context: () => TContext): Promise<{ url: string; http: Server }> {
  await server.start();
  const http = createServer(graphqlRequestListener(server, { maxBodyBytes: 1024 * 1024, context: async () => context() }));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`, http };
}

describe.each(modes)('placing and cancelling orders on $mode', ({ postgres }) => {
  let scratch: ScratchDatabase | undefined;
  let orders: Database;
  let inventory: Database;
  let products: Database;
  let ordersServer: ApolloServer<OrdersContext>;
  let peers: Peers;
  const httpServers: Server[] = [];
  const stoppable: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    scratch = postgres ? await createScratchDatabase('supergate_orders') : undefined;
    [orders, inventory, products] = (await Promise.all(
      ['orders', 'inventory', 'products'].map((service) => openMigratedDatabase(service, migrations(service), scratch?.url)),
    )) as [Database, Database, Database];
    const inventoryServer = createInventoryServer(false);
    const productsServer = createProductsServer(false);
    // These servers take no identity token: inventory is told the orders service is calling, as its token would say.
    const inventoryHttp = await serve(inventoryServer, () => inventoryContext(inventory, { sub: null, scopes: [], issuer: 'orders' }));
    const productsHttp = await serve(productsServer, () => productsContext(products));
    httpServers.push(inventoryHttp.http, productsHttp.http);
    stoppable.push(inventoryServer, productsServer);
    peers = {
      inventory: createPeerClient('inventory', inventoryHttp.url, async () => 'unchecked'),
      products: createPeerClient('products', productsHttp.url, async () => 'unchecked'),
    };
    ordersServer = createOrdersServer(false);
    await ordersServer.start();
    // Three embedded databases start and seed on a busy 2-core machine in well over the default 10 s.
  }, 120_000);

  afterAll(async () => {
    await ordersServer?.stop();
    for (const server of stoppable) await server.stop();
    for (const http of httpServers) await new Promise((resolve) => http.close(resolve));
    await Promise.all([orders, inventory, products].map((db) => db?.close()));
    await scratch?.drop();
  });

  async function placeOrder(buyerId: string, idempotencyKey: string, items: readonly Item[], db: Database = orders): Promise<PlaceOrderAnswer> {
    const response = await ordersServer.executeOperation(
      {
        query: 'mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id items { quantity product { upc } } } }',
        variables: { input: { idempotencyKey, items } },
      },
      { contextValue: ordersContext(db, peers, { sub: buyerId, scopes: [], issuer: 'gateway' }) },
    );
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return response.body.singleResult as PlaceOrderAnswer;
  }

  async function setStock(stock: ReadonlyMap<string, number>): Promise<void> {
    for (const [upc, quantity] of stock) await inventory.query('UPDATE stock SET quantity = $2 WHERE upc = $1', [upc, quantity]);
  }

  async function stockOf(upcs: readonly string[]): Promise<Map<string, number>> {
    const { rows } = await inventory.query<{ upc: string; quantity: number }>('SELECT upc, quantity FROM stock WHERE upc = ANY($1::text[])', [upcs]);
    return new Map(rows.map((row) => [row.upc, row.quantity]));
  }

  /** Every line of every placed order of `buyers`, by order id. */
  async function orderLines(buyers: readonly string[]): Promise<Map<string, Item[]>> {
    const { rows } = await orders.query<{ id: string; upc: string; quantity: number }>(
      `SELECT o.id, i.upc, i.quantity FROM orders o JOIN order_items i ON i.order_id = o.id
       WHERE o.buyer_id = ANY($1::text[]) ORDER BY o.id, i.position`,
      [buyers],
    );
    const lines = new Map<string, Item[]>();
    for (const row of rows) lines.set(row.id, [...(lines.get(row.id) ?? []), { upc: row.upc, quantity: row.quantity }]);
    return lines;
  }

  /** What the reservations `ids` still hold, by reservation id. */
  async function reservedItems(ids: readonly string[]): Promise<Map<string, Item[]>> {
    const { rows } = await inventory.query<{ id: string; upc: string; quantity: number }>(
      `SELECT r.id, i.upc, i.quantity FROM reservations r JOIN reservation_items i ON i.reservation_id = r.id
       WHERE r.id = ANY($1::text[]) AND r.released_at IS NULL ORDER BY r.id, i.upc`,
      [ids],
    );
    const items = new Map<string, Item[]>();
    for (const row of rows) items.set(row.id, [...(items.get(row.id) ?? []), { upc: row.upc, quantity: row.quantity }]);
    return items;
  }

  const answeredItems = (answer: PlaceOrderAnswer): Item[] | undefined =>
    answer.data?.placeOrder.items.map((item) => ({ upc: item.product.upc, quantity: item.quantity }));

  // 80 orders at once through a real database: the 5 s default is too tight on a loaded 2-core machine.
  it('40 concurrent pairs of one buyer with one key and different items: each key places the order of exactly one request, and stock adds up', async () => {
    const pairs = Array.from({ length: 40 }, (_, i) => ({
      buyer: `race-buyer-${i}`,
      key: `race-key-${i}`,
      // Every fourth second request asks for a product that is sold out.
      first: [{ upc: String(101 + 2 * i), quantity: 1 }],
      second: [{ upc: String(102 + 2 * i), quantity: 2 }],
    }));
    const initial = new Map(
      pairs.flatMap(
        (pair, i) =>
          [
            [pair.first[0]!.upc, 5],
            [pair.second[0]!.upc, i % 4 === 0 ? 0 : 5],
          ] as const,
      ),
    );
    await setStock(initial);

    const answers = await Promise.all(
      pairs.map((pair) => Promise.all([placeOrder(pair.buyer, pair.key, pair.first), placeOrder(pair.buyer, pair.key, pair.second)])),
    );

    const placed = answers.map(([first, second], i) => {
      const pair = pairs[i]!;
      // A successful answer shows exactly the items its own request asked for.
      if (first.errors === undefined) expect(answeredItems(first)).toEqual(pair.first);
      if (second.errors === undefined) expect(answeredItems(second)).toEqual(pair.second);
      for (const answer of [first, second]) {
        if (answer.errors !== undefined) expect(['IDEMPOTENCY_KEY_REUSED', 'OUT_OF_STOCK']).toContain(answer.errors[0]?.extensions?.['code']);
      }
      return [first, second].filter((answer) => answer.errors === undefined).length;
    });
    // One key, one order: never both requests of a pair.
    expect(placed.every((count) => count <= 1)).toBe(true);
    // A pair's request that lost the key is told so, unless its own items were sold out.
    answers.forEach(([first, second]) => {
      const codes = [first, second].map((answer) => answer.errors?.[0]?.extensions?.['code']);
      expect(codes.filter((code) => code === undefined || code === 'IDEMPOTENCY_KEY_REUSED').length).toBeGreaterThanOrEqual(1);
    });

    const buyers = pairs.map((pair) => pair.buyer);
    const lines = await orderLines(buyers);
    expect(lines.size).toBe(placed.reduce((sum, count) => sum + count, 0));
    // Stock plus what was ordered stays what it was.
    const stock = await stockOf([...initial.keys()]);
    const ordered = new Map<string, number>();
    for (const items of lines.values()) for (const item of items) ordered.set(item.upc, (ordered.get(item.upc) ?? 0) + item.quantity);
    expect(new Map([...initial.keys()].map((upc) => [upc, (stock.get(upc) ?? 0) + (ordered.get(upc) ?? 0)]))).toEqual(initial);
    // Every order's lines are exactly what its reservation holds.
    expect(await reservedItems([...lines.keys()])).toEqual(lines);
  }, 30_000);

  it('the same request sent twice at once places one order, takes stock once and answers both with it', async () => {
    await setStock(new Map([['201', 10]]));
    const items = [{ upc: '201', quantity: 3 }];
    const [first, second] = await Promise.all([placeOrder('twice-buyer', 'twice-key', items), placeOrder('twice-buyer', 'twice-key', items)]);
    expect(first.errors).toBeUndefined();
    expect(second).toEqual(first);
    expect(await placeOrder('twice-buyer', 'twice-key', items)).toEqual(first);
    expect(await stockOf(['201'])).toEqual(new Map([['201', 7]]));
  });

  it('reusing a key with other items is refused with IDEMPOTENCY_KEY_REUSED and takes no stock', async () => {
    await setStock(
      new Map([
        ['202', 10],
        ['203', 10],
      ]),
    );
    const placed = await placeOrder('reuse-buyer', 'reuse-key', [{ upc: '202', quantity: 1 }]);
    expect(placed.errors).toBeUndefined();
    expect(await placeOrder('reuse-buyer', 'reuse-key', [{ upc: '203', quantity: 1 }])).toEqual({
      data: null,
      errors: [
        {
          message: 'This idempotencyKey was already used for an order with other items; use a new key for a new order.',
          locations: [expect.any(Object)],
          path: ['placeOrder'],
          extensions: { code: 'IDEMPOTENCY_KEY_REUSED', argumentName: 'input.idempotencyKey', stacktrace: expect.any(Array) },
        },
      ],
    });
    expect(await stockOf(['202', '203'])).toEqual(
      new Map([
        ['202', 9],
        ['203', 10],
      ]),
    );
  });

  it('lines for the same product count as one: listing them in another order or split up is the same request', async () => {
    await setStock(
      new Map([
        ['204', 10],
        ['205', 10],
      ]),
    );
    const placed = await placeOrder('same-buyer', 'same-key', [
      { upc: '205', quantity: 1 },
      { upc: '204', quantity: 2 },
      { upc: '205', quantity: 1 },
    ]);
    expect(answeredItems(placed)).toEqual([
      { upc: '204', quantity: 2 },
      { upc: '205', quantity: 2 },
    ]);
    expect(
      (
        await placeOrder('same-buyer', 'same-key', [
          { upc: '204', quantity: 2 },
          { upc: '205', quantity: 2 },
        ])
      ).data,
    ).toEqual(placed.data);
  });

  it("keys belong to their buyer: another buyer's same key places that buyer's own order and learns nothing", async () => {
    await setStock(
      new Map([
        ['206', 10],
        ['207', 10],
      ]),
    );
    const mine = await placeOrder('owner-buyer', 'shared-key', [{ upc: '206', quantity: 1 }]);
    const theirs = await placeOrder('other-buyer', 'shared-key', [{ upc: '207', quantity: 1 }]);
    expect(mine.errors).toBeUndefined();
    expect(theirs.errors).toBeUndefined();
    expect(theirs.data?.placeOrder.id).not.toBe(mine.data?.placeOrder.id);
    expect(answeredItems(theirs)).toEqual([{ upc: '207', quantity: 1 }]);
    expect(await stockOf(['206', '207'])).toEqual(
      new Map([
        ['206', 9],
        ['207', 9],
      ]),
    );
  });

  /** The orders database as a process sees it that dies while committing an order: that commit and everything after it fail. */
  function dyingAtCommit(db: Database): Database {
    let dead = false;
    const gone = () => Promise.reject(new Error('the orders process died'));
    return {
      ...db,
      query: (sql, params) => (dead ? gone() : db.query(sql, params)),
      transaction: () => {
        dead = true;
        return gone();
      },
    };
  }

  const pendingOrders = async (buyerId: string) =>
    (await orders.query<{ id: string }>("SELECT id FROM orders WHERE buyer_id = $1 AND status = 'PENDING'", [buyerId])).rows.length;

  it('stock reserved for an order whose process died before completing it goes back after the deadline, and the key then places the order', async () => {
    await setStock(new Map([['301', 5]]));
    const items = [{ upc: '301', quantity: 2 }];
    const died = await placeOrder('crash-buyer', 'crash-key', items, dyingAtCommit(orders));
    expect(died.errors?.[0]?.message).toBe('the orders process died');
    expect(await stockOf(['301'])).toEqual(new Map([['301', 3]]));
    expect(await pendingOrders('crash-buyer')).toBe(1);

    // Within the deadline the order may still complete, so its stock stays reserved.
    expect(await releaseAbandonedOrders(orders, peers.inventory, 3600)).toBe(0);
    expect(await stockOf(['301'])).toEqual(new Map([['301', 3]]));

    expect(await releaseAbandonedOrders(orders, peers.inventory, 0)).toBe(1);
    expect(await stockOf(['301'])).toEqual(new Map([['301', 5]]));
    expect(await pendingOrders('crash-buyer')).toBe(0);
    expect(await releaseAbandonedOrders(orders, peers.inventory, 0)).toBe(0);

    const retried = await placeOrder('crash-buyer', 'crash-key', items);
    expect(answeredItems(retried)).toEqual(items);
    expect(await stockOf(['301'])).toEqual(new Map([['301', 3]]));
    expect(await reservedItems([retried.data!.placeOrder.id])).toEqual(new Map([[retried.data!.placeOrder.id, items]]));
  });

  it('a retry before the deadline completes the order a dead process left pending, with the stock it reserved', async () => {
    await setStock(new Map([['304', 5]]));
    const items = [{ upc: '304', quantity: 2 }];
    expect((await placeOrder('resume-buyer', 'resume-key', items, dyingAtCommit(orders))).errors).toHaveLength(1);
    const retried = await placeOrder('resume-buyer', 'resume-key', items);
    expect(answeredItems(retried)).toEqual(items);
    expect(await stockOf(['304'])).toEqual(new Map([['304', 3]]));
    expect(await releaseAbandonedOrders(orders, peers.inventory, 0)).toBe(0);
    expect(await stockOf(['304'])).toEqual(new Map([['304', 3]]));
  });

  it('an order refused for lack of stock leaves its key free for other items', async () => {
    await setStock(
      new Map([
        ['302', 0],
        ['303', 5],
      ]),
    );
    const refused = await placeOrder('refused-buyer', 'refused-key', [{ upc: '302', quantity: 1 }]);
    expect(refused.errors?.[0]?.extensions?.['code']).toBe('OUT_OF_STOCK');
    expect(await pendingOrders('refused-buyer')).toBe(0);
    const placed = await placeOrder('refused-buyer', 'refused-key', [{ upc: '303', quantity: 1 }]);
    expect(answeredItems(placed)).toEqual([{ upc: '303', quantity: 1 }]);
    expect(await stockOf(['302', '303'])).toEqual(
      new Map([
        ['302', 0],
        ['303', 4],
      ]),
    );
  });
  async function cancelOrder(id: string, by: { sub: string; scopes?: string[] }, withPeers: Peers = peers): Promise<CancelOrderAnswer> {
    const response = await ordersServer.executeOperation(
      { query: 'mutation ($id: ID!) { cancelOrder(id: $id) { id status } }', variables: { id } },
      { contextValue: ordersContext(orders, withPeers, { sub: by.sub, scopes: by.scopes ?? [], issuer: 'gateway' }) },
    );
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return response.body.singleResult as CancelOrderAnswer;
  }

  const codeOf = (answer: CancelOrderAnswer) => answer.errors?.[0]?.extensions?.['code'];
  const statusOf = async (id: string) => (await orders.query<{ status: string }>('SELECT status FROM orders WHERE id = $1', [id])).rows[0]?.status;
  const toRelease = async () => (await orders.query('SELECT reservation_id FROM abandoned_reservations')).rows.length;

  it('cancelling a placed order puts its stock back and reports what changed; cancelling it again fails with ORDER_NOT_CANCELLABLE', async () => {
    await setStock(
      new Map([
        ['401', 10],
        ['402', 10],
      ]),
    );
    const placed = await placeOrder('cancel-buyer', 'cancel-key', [
      { upc: '401', quantity: 3 },
      { upc: '402', quantity: 1 },
    ]);
    const id = placed.data!.placeOrder.id;
    expect(await stockOf(['401', '402'])).toEqual(
      new Map([
        ['401', 7],
        ['402', 9],
      ]),
    );

    const cancelled = await cancelOrder(id, { sub: 'cancel-buyer' });
    expect(cancelled.data).toEqual({ cancelOrder: { id, status: 'CANCELLED' } });
    expect((cancelled.extensions?.['changedEntities'] as string[]).sort()).toEqual([`Order:${id}`, 'Product:401', 'Product:402', 'User:cancel-buyer']);
    expect(await stockOf(['401', '402'])).toEqual(
      new Map([
        ['401', 10],
        ['402', 10],
      ]),
    );
    expect(await reservedItems([id])).toEqual(new Map());
    expect(await toRelease()).toBe(0);

    const again = await cancelOrder(id, { sub: 'cancel-buyer' });
    expect({ data: again.data, message: again.errors?.[0]?.message, extensions: { ...again.errors?.[0]?.extensions, stacktrace: undefined } }).toEqual({
      data: null,
      message: `Order ${id} is CANCELLED; only a PLACED order can be cancelled.`,
      extensions: { code: 'ORDER_NOT_CANCELLABLE', status: 'CANCELLED', stacktrace: undefined },
    });
    expect(await stockOf(['401', '402'])).toEqual(
      new Map([
        ['401', 10],
        ['402', 10],
      ]),
    );
  });

  it('of ten cancels of one order at once, exactly one succeeds and the stock comes back once', async () => {
    await setStock(new Map([['403', 10]]));
    const id = (await placeOrder('racing-canceller', 'race-cancel-key', [{ upc: '403', quantity: 4 }])).data!.placeOrder.id;
    const answers = await Promise.all(Array.from({ length: 10 }, () => cancelOrder(id, { sub: 'racing-canceller' })));
    expect(answers.filter((answer) => answer.errors === undefined)).toHaveLength(1);
    expect(answers.map(codeOf).filter((code) => code !== undefined)).toEqual(Array.from({ length: 9 }, () => 'ORDER_NOT_CANCELLABLE'));
    expect(await stockOf(['403'])).toEqual(new Map([['403', 10]]));
  }, 30_000);

  it('only the buyer or an admin may cancel: another user gets FORBIDDEN and the order stays placed; an unknown order is NOT_FOUND', async () => {
    await setStock(new Map([['404', 10]]));
    const id = (await placeOrder('owning-buyer', 'owned-key', [{ upc: '404', quantity: 2 }])).data!.placeOrder.id;
    expect(codeOf(await cancelOrder(id, { sub: 'someone-else' }))).toBe('FORBIDDEN');
    expect(await statusOf(id)).toBe('PLACED');
    expect(await stockOf(['404'])).toEqual(new Map([['404', 8]]));
    expect(codeOf(await cancelOrder('no-such-order', { sub: 'owning-buyer' }))).toBe('NOT_FOUND');
    expect((await cancelOrder(id, { sub: 'support-agent', scopes: ['admin'] })).data).toEqual({ cancelOrder: { id, status: 'CANCELLED' } });
    expect(await stockOf(['404'])).toEqual(new Map([['404', 10]]));
  });

  it('an order that has shipped is not cancellable, and keeps its stock taken', async () => {
    await setStock(new Map([['405', 10]]));
    const id = (await placeOrder('shipped-buyer', 'shipped-key', [{ upc: '405', quantity: 1 }])).data!.placeOrder.id;
    await orders.query("UPDATE orders SET status = 'SHIPPED' WHERE id = $1", [id]);
    const refused = await cancelOrder(id, { sub: 'shipped-buyer' });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'ORDER_NOT_CANCELLABLE', status: 'SHIPPED' });
    expect(await statusOf(id)).toBe('SHIPPED');
    expect(await stockOf(['405'])).toEqual(new Map([['405', 9]]));
  });

  it('with inventory down, the order is still cancelled and the periodic release puts its stock back later', async () => {
    await setStock(new Map([['406', 10]]));
    const id = (await placeOrder('outage-buyer', 'outage-key', [{ upc: '406', quantity: 5 }])).data!.placeOrder.id;
    // Port 1 refuses connections, like an inventory service that is down.
    const inventoryDown = { ...peers, inventory: createPeerClient('inventory', 'http://127.0.0.1:1/graphql', async () => 'unused') };
    expect((await cancelOrder(id, { sub: 'outage-buyer' }, inventoryDown)).data).toEqual({ cancelOrder: { id, status: 'CANCELLED' } });
    expect(await stockOf(['406'])).toEqual(new Map([['406', 5]]));
    expect(await toRelease()).toBe(1);
    expect(await releaseAbandonedOrders(orders, peers.inventory, 3600)).toBe(1);
    expect(await stockOf(['406'])).toEqual(new Map([['406', 10]]));
    expect(await toRelease()).toBe(0);
  });
});
