import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeItems } from '../kit/stockItems.js';
import { errorOf, openMigratedDatabase } from '../kit/testing.js';
import type { Database } from '../kit/database.js';
import { createPeerClient, type PeerClient, type PeerResponse } from './peerClient.js';
import type { Peers } from './peers.js';
import { placeOrder } from './placeOrder.js';

let db: Database;

beforeAll(async () => {
  db = await openMigratedDatabase('orders', new URL('./migrations', import.meta.url));
});

afterAll(async () => {
  await db.close();
});

interface FakePeers extends Peers {
  reservations: string[];
}

/** Products priced at 100 cents per upc number; inventory holds `stock` units of each. */
function fakePeers(stock: number): FakePeers {
  const reservations: string[] = [];
  const products: PeerClient = {
    async request(_query, variables): Promise<PeerResponse> {
      const representations = variables['r'] as { upc: string }[];
      return { data: { _entities: representations.map(({ upc }) => (upc === 'missing' ? null : { upc, price: 100 * Number(upc) })) }, errors: [] };
    },
  };
  const inventory: PeerClient = {
    async request(query, variables): Promise<PeerResponse> {
      if (query.includes('releaseStock')) return { data: { releaseStock: { returned: false } }, errors: [] };
      const items = variables['items'] as { upc: string; quantity: number }[];
      const short = items.find((item) => item.quantity > stock);
      if (short !== undefined) {
        return { data: null, errors: [{ message: `Not enough stock for product ${short.upc}.`, extensions: { code: 'OUT_OF_STOCK', upc: short.upc } }] };
      }
      const id = variables['id'] as string;
      const created = !reservations.includes(id);
      if (created) reservations.push(id);
      return { data: { reserveStock: { created, items: mergeItems(items) } }, errors: [] };
    },
  };
  return { products, inventory, reservations };
}

describe('placeOrder', () => {
  it('stores the order at current prices', async () => {
    const order = await placeOrder(db, fakePeers(10), {
      buyerId: 'u1',
      idempotencyKey: 'k-new',
      items: [
        { upc: '2', quantity: 3 },
        { upc: '5', quantity: 1 },
      ],
    });
    expect(order).toMatchObject({ buyerId: 'u1', idempotencyKey: 'k-new', status: 'PLACED', total: 1100 });
    const { rows } = await db.query('SELECT position, upc, quantity, unit_price FROM order_items WHERE order_id = $1 ORDER BY position', [order.id]);
    expect(rows).toEqual([
      { position: 1, upc: '2', quantity: 3, unit_price: 200 },
      { position: 2, upc: '5', quantity: 1, unit_price: 500 },
    ]);
  });

  it('a retried order returns the first one and reserves stock once', async () => {
    const peers = fakePeers(10);
    const input = { buyerId: 'u2', idempotencyKey: 'k-retry', items: [{ upc: '1', quantity: 1 }] };
    const [first, second] = await Promise.all([placeOrder(db, peers, input), placeOrder(db, peers, input)]);
    expect(second).toEqual(first);
    expect(await placeOrder(db, peers, input)).toEqual(first);
    // Reserved under the order's id, which every request holding the key shares.
    expect(peers.reservations).toEqual([first.id]);
  });

  it('an order placed before fingerprints answers a retry with its own items and refuses other items', async () => {
    const [seeded] = (await db.query<{ id: string; buyer_id: string }>("SELECT id, buyer_id FROM orders WHERE idempotency_key = 'seed-1'")).rows;
    const lines = (
      await db.query<{ upc: string; quantity: number }>('SELECT upc, quantity FROM order_items WHERE order_id = $1 ORDER BY position DESC', [seeded!.id])
    ).rows;
    const peers = fakePeers(10);
    expect(await placeOrder(db, peers, { buyerId: seeded!.buyer_id, idempotencyKey: 'seed-1', items: lines })).toMatchObject({
      id: seeded!.id,
      status: 'SHIPPED',
    });
    const other = [{ upc: lines[0]!.upc, quantity: lines[0]!.quantity + 1 }];
    expect((await errorOf(placeOrder(db, peers, { buyerId: seeded!.buyer_id, idempotencyKey: 'seed-1', items: other }))).extensions).toEqual({
      code: 'IDEMPOTENCY_KEY_REUSED',
      argumentName: 'input.idempotencyKey',
    });
    expect(peers.reservations).toEqual([]);
  });

  it('passes on out of stock from inventory and stores nothing', async () => {
    expect(await errorOf(placeOrder(db, fakePeers(1), { buyerId: 'u3', idempotencyKey: 'k-short', items: [{ upc: '7', quantity: 2 }] }))).toEqual({
      message: 'Not enough stock for product 7.',
      extensions: { code: 'OUT_OF_STOCK', upc: '7' },
    });
    expect((await db.query("SELECT id FROM orders WHERE idempotency_key = 'k-short'")).rows).toEqual([]);
  });

  it('names a product that does not exist', async () => {
    expect(await errorOf(placeOrder(db, fakePeers(10), { buyerId: 'u4', idempotencyKey: 'k-missing', items: [{ upc: 'missing', quantity: 1 }] }))).toEqual({
      message: 'Product missing does not exist.',
      extensions: { code: 'BAD_USER_INPUT', upc: 'missing' },
    });
  });

  it('rejects orders without items, with too many, or with a quantity below one', async () => {
    const peers = fakePeers(10);
    const codes = await Promise.all(
      [[], Array.from({ length: 51 }, () => ({ upc: '1', quantity: 1 })), [{ upc: '1', quantity: 0 }]].map(
        async (items) => (await errorOf(placeOrder(db, peers, { buyerId: 'u5', idempotencyKey: 'k-bad', items }))).extensions,
      ),
    );
    expect(codes).toEqual([
      { code: 'BAD_USER_INPUT', argumentName: 'input.items' },
      { code: 'BAD_USER_INPUT', argumentName: 'input.items' },
      { code: 'BAD_USER_INPUT', argumentName: 'input.items' },
    ]);
    expect(peers.reservations).toEqual([]);
  });

  it('a products outage is reported without its address', async () => {
    // Port 1 refuses connections, like a products service that is down.
    const peers = { ...fakePeers(10), products: createPeerClient('products', 'http://127.0.0.1:1/graphql', async () => 'unused') };
    const error = await errorOf(placeOrder(db, peers, { buyerId: 'u6', idempotencyKey: 'k-down', items: [{ upc: '1', quantity: 1 }] }));
    expect(error).toEqual({ message: 'products is unavailable', extensions: { code: 'UPSTREAM_FAILED', serviceName: 'products' } });
  });
});
