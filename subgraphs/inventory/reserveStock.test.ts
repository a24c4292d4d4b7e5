import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, openMigratedDatabase } from '../kit/testing.js';
import type { Database } from '../kit/database.js';
import { mergeItems } from '../kit/stockItems.js';
import { releaseStock } from './releaseStock.js';
import { reserveStock } from './reserveStock.js';

let db: Database;

beforeAll(async () => {
  db = await openMigratedDatabase('inventory', new URL('./migrations', import.meta.url));
});

afterAll(async () => {
  await db.close();
});

async function quantity(upc: string): Promise<number> {
  const { rows } = await db.query<{ quantity: number }>('SELECT quantity FROM stock WHERE upc = $1', [upc]);
  return rows[0]?.quantity ?? 0;
}

async function setQuantity(upc: string, units: number): Promise<void> {
  await db.query('UPDATE stock SET quantity = $2 WHERE upc = $1', [upc, units]);
}

describe('reserveStock', () => {
  it('takes every item out of stock and records what it took', async () => {
    await setQuantity('1', 10);
    await setQuantity('2', 10);
    expect(
      await reserveStock(db, 'r-ok', [
        { upc: '2', quantity: 3 },
        { upc: '1', quantity: 1 },
        { upc: '2', quantity: 2 },
      ]),
    ).toEqual({
      reservationId: 'r-ok',
      created: true,
      items: [
        { upc: '1', quantity: 1 },
        { upc: '2', quantity: 5 },
      ],
    });
    expect([await quantity('1'), await quantity('2')]).toEqual([9, 5]);
    const { rows } = await db.query('SELECT upc, quantity FROM reservation_items WHERE reservation_id = $1 ORDER BY upc', ['r-ok']);
    expect(rows).toEqual([
      { upc: '1', quantity: 1 },
      { upc: '2', quantity: 5 },
    ]);
  });

  it('a retried reservation changes nothing and answers what the reservation holds', async () => {
    await setQuantity('3', 4);
    await reserveStock(db, 'r-retry', [{ upc: '3', quantity: 1 }]);
    expect(await reserveStock(db, 'r-retry', [{ upc: '3', quantity: 1 }])).toEqual({
      reservationId: 'r-retry',
      created: false,
      items: [{ upc: '3', quantity: 1 }],
    });
    expect(await quantity('3')).toBe(3);
  });

  it('a reservation id sent again with other items is refused and takes nothing', async () => {
    await setQuantity('7', 4);
    await setQuantity('8', 4);
    await reserveStock(db, 'r-other', [{ upc: '7', quantity: 1 }]);
    expect(await errorOf(reserveStock(db, 'r-other', [{ upc: '8', quantity: 1 }]))).toEqual({
      message: 'Reservation r-other holds other items.',
      extensions: { code: 'IDEMPOTENCY_KEY_REUSED', argumentName: 'reservationId' },
    });
    expect([await quantity('7'), await quantity('8')]).toEqual([3, 4]);
  });

  it('a reservation that cannot be filled reserves nothing', async () => {
    await setQuantity('4', 5);
    await setQuantity('5', 1);
    expect(
      await errorOf(
        reserveStock(db, 'r-short', [
          { upc: '4', quantity: 2 },
          { upc: '5', quantity: 2 },
        ]),
      ),
    ).toEqual({
      message: 'Not enough stock for product 5.',
      extensions: { code: 'OUT_OF_STOCK', upc: '5' },
    });
    expect([await quantity('4'), await quantity('5')]).toEqual([5, 1]);
    // The reservation row rolled back too, so a later attempt with the same id can still succeed.
    await setQuantity('5', 2);
    expect(
      await reserveStock(db, 'r-short', [
        { upc: '4', quantity: 2 },
        { upc: '5', quantity: 2 },
      ]),
    ).toMatchObject({ reservationId: 'r-short', created: true });
  });

  it('a product without a stock row is out of stock', async () => {
    expect((await errorOf(reserveStock(db, 'r-unknown', [{ upc: 'no-such-upc', quantity: 1 }]))).extensions).toEqual({
      code: 'OUT_OF_STOCK',
      upc: 'no-such-upc',
    });
  });

  it('rejects quantities that are not positive', async () => {
    await setQuantity('6', 5);
    expect(
      await errorOf(
        reserveStock(db, 'r-negative', [
          { upc: '6', quantity: 3 },
          { upc: '6', quantity: -1 },
        ]),
      ),
    ).toEqual({
      message: 'The quantity of product 6 must be a positive integer.',
      extensions: { code: 'BAD_USER_INPUT', argumentName: 'items', upc: '6' },
    });
    expect(await quantity('6')).toBe(5);
  });

  it('rejects a reservation without items', async () => {
    expect((await errorOf(reserveStock(db, 'r-empty', []))).extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName: 'items' });
  });
});

describe('releaseStock', () => {
  it('puts the units back once, and the id never reserves again', async () => {
    await setQuantity('9', 5);
    await setQuantity('10', 5);
    await reserveStock(db, 'r-release', [
      { upc: '9', quantity: 2 },
      { upc: '10', quantity: 5 },
    ]);
    expect(await releaseStock(db, 'r-release')).toEqual({ reservationId: 'r-release', returned: true });
    expect([await quantity('9'), await quantity('10')]).toEqual([5, 5]);
    expect(await releaseStock(db, 'r-release')).toEqual({ reservationId: 'r-release', returned: false });
    expect([await quantity('9'), await quantity('10')]).toEqual([5, 5]);
    expect(
      await errorOf(
        reserveStock(db, 'r-release', [
          { upc: '9', quantity: 2 },
          { upc: '10', quantity: 5 },
        ]),
      ),
    ).toEqual({
      message: 'Reservation r-release was released; reserve under a new id.',
      extensions: { code: 'RESERVATION_RELEASED', argumentName: 'reservationId' },
    });
    expect([await quantity('9'), await quantity('10')]).toEqual([5, 5]);
  });

  it('an id released before its reservation arrives refuses that reservation, so no stock is left held', async () => {
    await setQuantity('11', 5);
    expect(await releaseStock(db, 'r-late')).toEqual({ reservationId: 'r-late', returned: false });
    expect((await errorOf(reserveStock(db, 'r-late', [{ upc: '11', quantity: 1 }]))).extensions['code']).toBe('RESERVATION_RELEASED');
    expect(await quantity('11')).toBe(5);
  });
});

describe('mergeItems', () => {
  it('adds up lines for the same product and sorts by upc', () => {
    expect(
      mergeItems([
        { upc: 'b', quantity: 1 },
        { upc: 'a', quantity: 2 },
        { upc: 'b', quantity: 3 },
      ]),
    ).toEqual([
      { upc: 'a', quantity: 2 },
      { upc: 'b', quantity: 4 },
    ]);
  });
});
