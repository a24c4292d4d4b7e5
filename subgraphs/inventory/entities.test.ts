import type { ApolloServer } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedDatabase, recordingDatabase } from '../kit/testing.js';
import type { Database } from '../kit/database.js';
import { createContext, type InventoryContext } from './context.js';
import { createInventoryServer } from './server.js';

const GATEWAY_ANONYMOUS = { sub: null, scopes: [], issuer: 'gateway' } as const;
let db: Database;
let server: ApolloServer<InventoryContext>;
const statements: string[] = [];

/** The same database, recording every statement sent outside a transaction. */
const recording = (inner: Database): Database => recordingDatabase(inner, statements);

beforeAll(async () => {
  db = await openMigratedDatabase('inventory', new URL('./migrations', import.meta.url));
  server = createInventoryServer(false);
  await server.start();
});

afterAll(async () => {
  await server.stop();
  await db.close();
});

const ENTITIES = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Product { upc inStock quantity shippingEstimate } } }`;

describe('Product entities', () => {
  it('50 product references cost one SQL statement', async () => {
    statements.length = 0;
    const representations = Array.from({ length: 50 }, (_, i) => ({ __typename: 'Product', upc: String(i + 1), price: 1000, weight: 100 }));
    const response = await server.executeOperation(
      { query: ENTITIES, variables: { r: representations } },
      { contextValue: createContext(recording(db), GATEWAY_ANONYMOUS) },
    );
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    expect(response.body.singleResult.errors).toBeUndefined();
    expect(statements).toHaveLength(1);
  });

  it('reports stock, and no stock for a product without a stock row', async () => {
    await db.query("UPDATE stock SET quantity = 0 WHERE upc = '17'");
    await db.query("UPDATE stock SET quantity = 3 WHERE upc = '18'");
    const response = await server.executeOperation(
      {
        query: ENTITIES,
        variables: {
          r: [
            { __typename: 'Product', upc: '17', price: 150000, weight: 100 },
            { __typename: 'Product', upc: '18', price: 1000, weight: 101 },
            { __typename: 'Product', upc: 'no-such-upc', price: 1000, weight: 0 },
          ],
        },
      },
      { contextValue: createContext(db, GATEWAY_ANONYMOUS) },
    );
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    expect(response.body.singleResult).toEqual({
      data: {
        _entities: [
          { upc: '17', inStock: false, quantity: 0, shippingEstimate: 0 },
          { upc: '18', inStock: true, quantity: 3, shippingEstimate: 550 },
          { upc: 'no-such-upc', inStock: false, quantity: 0, shippingEstimate: 499 },
        ],
      },
    });
  });
});
