import type { Queryable } from '../kit/database.js';

export interface StockRow {
  [column: string]: unknown;
  upc: string;
  quantity: number;
}

export interface StockItem {
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
