import type { ApolloServer } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../kit/database.js';
import { openMigratedDatabase, recordingDatabase } from '../kit/testing.js';
import { createContext, type OrdersContext } from './context.js';
import type { PeerClient } from './peerClient.js';
import { createOrdersServer } from './server.js';

let db: Database;
let server: ApolloServer<OrdersContext>;
const statements: string[] = [];

/** The same database, recording every statement sent outside a transaction. */
const recording = (inner: Database): Database => recordingDatabase(inner, statements);

const unusedPeer: PeerClient = {
  request: () => Promise.reject(new Error('reading orders never calls another subgraph')),
};

beforeAll(async () => {
  db = await openMigratedDatabase('orders', new URL('./migrations', import.meta.url));
  // As production answers: errors without stack traces.
  server = createOrdersServer(true);
  await server.start();
});

afterAll(async () => {
  await server.stop();
  await db.close();
});

const ORDERS = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id orders { id buyer { id } } } } }';

/** The `orders` of the users `ids`, as the caller `sub` (null: anonymous) holding `scopes`. */
async function ordersOf(ids: readonly string[], sub: string | null, scopes: string[] = []) {
  const representations = ids.map((id) => ({ __typename: 'User', id }));
  const contextValue = createContext(recording(db), { products: unusedPeer, inventory: unusedPeer }, { sub, scopes, issuer: 'gateway' });
  const response = await server.executeOperation({ query: ORDERS, variables: { r: representations } }, { contextValue });
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  return response.body.singleResult;
}

/** The seeded orders of `buyerId`, newest first, as the query above selects them. */
async function seededOrders(buyerId: string): Promise<{ id: string; buyer: { id: string } }[]> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM orders WHERE buyer_id = $1 ORDER BY created_at DESC, id', [buyerId]);
  return rows.map(({ id }) => ({ id, buyer: { id: buyerId } }));
}

const forbidden = (index: number) => ({
  message: 'Only the account owner or an admin can read User.orders.',
  locations: [expect.any(Object)],
  path: ['_entities', index, 'orders'],
  extensions: { code: 'FORBIDDEN' },
});

describe('User.orders', () => {
  it('a user reads their own orders', async () => {
    const own = await seededOrders('u8');
    expect(own).toHaveLength(1);
    expect(await ordersOf(['u8'], 'u8')).toEqual({ data: { _entities: [{ id: 'u8', orders: own }] } });
  });

  it('another user sees null and FORBIDDEN for the orders while the rest of the user answers', async () => {
    expect(await ordersOf(['u8'], 'u9', ['read'])).toEqual({ data: { _entities: [{ id: 'u8', orders: null }] }, errors: [forbidden(0)] });
  });

  it("an admin reads anyone's orders", async () => {
    expect(await ordersOf(['u8', 'u2'], 'u9', ['admin'])).toEqual({
      data: {
        _entities: [
          { id: 'u8', orders: await seededOrders('u8') },
          { id: 'u2', orders: [] },
        ],
      },
    });
  });

  it('an anonymous caller gets null and FORBIDDEN for the orders', async () => {
    expect(await ordersOf(['u8'], null)).toEqual({ data: { _entities: [{ id: 'u8', orders: null }] }, errors: [forbidden(0)] });
  });

  it("a batch of 20 users shows a non-admin only their own orders, and the others' cost no SQL", async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `u${i + 1}`);
    const own = await seededOrders('u8');

    statements.length = 0;
    expect(await ordersOf(ids, 'u8', ['read'])).toEqual({
      data: { _entities: ids.map((id) => ({ id, orders: id === 'u8' ? own : null })) },
      errors: ids.flatMap((id, index) => (id === 'u8' ? [] : [forbidden(index)])),
    });
    expect(statements).toHaveLength(1);

    statements.length = 0;
    const stranger = await ordersOf(ids, 'u42', ['read']);
    expect(stranger.errors).toHaveLength(20);
    expect(statements).toEqual([]);

    statements.length = 0;
    const asAdmin = await ordersOf(ids, 'u1', ['admin']);
    expect(asAdmin.errors).toBeUndefined();
    expect(statements).toHaveLength(1);
  });
});

describe('Query.order', () => {
  async function orderAs(id: string, sub: string | null, scopes: string[] = []) {
    const contextValue = createContext(recording(db), { products: unusedPeer, inventory: unusedPeer }, { sub, scopes, issuer: 'gateway' });
    const response = await server.executeOperation({ query: 'query ($id: ID!) { order(id: $id) { id buyer { id } } }', variables: { id } }, { contextValue });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return response.body.singleResult;
  }

  it('answers the buyer and admins, and refuses everyone else who knows the id', async () => {
    const [own] = await seededOrders('u8');
    expect(own).toBeDefined();
    expect(await orderAs(own!.id, 'u8')).toEqual({ data: { order: own } });
    expect(await orderAs(own!.id, 'u1', ['admin'])).toEqual({ data: { order: own } });
    for (const stranger of ['u9', null]) {
      expect(await orderAs(own!.id, stranger)).toEqual({
        data: { order: null },
        errors: [
          { message: 'Only the buyer or an admin can read this order.', locations: [expect.any(Object)], path: ['order'], extensions: { code: 'FORBIDDEN' } },
        ],
      });
    }
  });
});
