import type { Queryable } from '../kit/database.js';
import type { StockItem } from '../kit/stockItems.js';

export interface StockRow {
  [column: string]: unknown;
  upc: string;
  quantity: number;
}

export async function stockByUpc(db: Queryable, upcs: readonly string[]): Promise<StockRow[]> {
  const { rows } = await db.query<StockRow>('SELECT upc, quantity FROM stock WHERE upc = ANY($1::text[])', [upcs]);
  return rows;
}

/** Records a reservation; false when one with this id already exists. */
export async function insertReservation(db: Queryable, id: string): Promise<boolean> {
  const { rows } = await db.query('INSERT INTO reservations (id) VALUES ($1) ON CONFLICT (id) DO NOTHING RETURNING id', [id]);
  return rows.length > 0;
}

/** Whether the reservation `id` was released, locking its row until the transaction ends; undefined when there is none. */
export async function lockReservation(db: Queryable, id: string): Promise<{ released: boolean } | undefined> {
  const { rows } = await db.query<{ released: boolean }>('SELECT released_at IS NOT NULL AS released FROM reservations WHERE id = $1 FOR UPDATE', [id]);
  return rows[0];
}

/**
 * Marks the reservation `id` released, recording a released one when none
 * exists so that a reservation arriving later under this id is refused.
 * True when this call released a reservation that held stock.
 */
export async function markReleased(db: Queryable, id: string): Promise<boolean> {
  // One statement, so a reservation racing in under the same id either comes first (and is released) or is refused.
  // xmax is 0 on a row this statement inserted and set on one it updated; no row comes back when it was released already.
  const { rows } = await db.query<{ inserted: boolean }>(
    `INSERT INTO reservations AS r (id, released_at) VALUES ($1, now())
     ON CONFLICT (id) DO UPDATE SET released_at = now() WHERE r.released_at IS NULL
     RETURNING (xmax = 0) AS inserted`,
    [id],
  );
  return rows[0]?.inserted === false;
}

export async function reservedItems(db: Queryable, reservationId: string): Promise<StockItem[]> {
  const { rows } = await db.query<StockItem & Record<string, unknown>>('SELECT upc, quantity FROM reservation_items WHERE reservation_id = $1', [
    reservationId,
  ]);
  return rows;
}

/** Puts `quantity` units of `upc` back in stock. */
export async function returnStock(db: Queryable, upc: string, quantity: number): Promise<void> {
  await db.query('UPDATE stock SET quantity = quantity + $2 WHERE upc = $1', [upc, quantity]);
}

/**
 * Takes `quantity` units of `upc` out of stock; false when fewer are left.
 * Under read committed a concurrent update makes PostgreSQL re-check the WHERE
 * against the newest row version after taking the lock, so stock never goes negative.
 */
export async function takeStock(db: Queryable, upc: string, quantity: number): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE stock SET quantity = quantity - $2 WHERE upc = $1 AND quantity >= $2', [upc, quantity]);
  return rowCount > 0;
}

export async function insertReservationItems(db: Queryable, reservationId: string, items: readonly StockItem[]): Promise<void> {
  await db.query(
    'INSERT INTO reservation_items (reservation_id, upc, quantity) SELECT $1, upc, quantity FROM unnest($2::text[], $3::int[]) AS item (upc, quantity)',
    [reservationId, items.map((item) => item.upc), items.map((item) => item.quantity)],
  );
}
