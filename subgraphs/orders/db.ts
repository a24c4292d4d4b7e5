import type { Queryable } from '../kit/database.js';

/** PENDING: the key is claimed and stock is being reserved; never shown to anyone. */
export type OrderStatus = 'PENDING' | 'PLACED' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED';

export interface OrderRow {
  [column: string]: unknown;
  id: string;
  buyerId: string;
  idempotencyKey: string;
  status: OrderStatus;
  total: number;
  createdAt: string;
  /** What `requestFingerprint` made of the items the order was placed with; null for orders placed before fingerprints. */
  requestFingerprint: string | null;
}

export interface OrderItemRow {
  [column: string]: unknown;
  orderId: string;
  position: number;
  upc: string;
  quantity: number;
  unitPrice: number;
}

export interface OrderClaim {
  buyerId: string;
  idempotencyKey: string;
  requestFingerprint: string;
}

export interface OrderLine {
  upc: string;
  quantity: number;
  unitPrice: number;
}

// Formatted in SQL so both drivers return the same string rather than a Date.
const ORDER_COLUMNS = `id, buyer_id AS "buyerId", idempotency_key AS "idempotencyKey", status, total,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt", request_fingerprint AS "requestFingerprint"`;

export async function ordersById(db: Queryable, ids: readonly string[]): Promise<OrderRow[]> {
  const { rows } = await db.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = ANY($1::text[]) AND status <> 'PENDING'`, [ids]);
  return rows;
}

export async function ordersByBuyer(db: Queryable, buyerIds: readonly string[]): Promise<OrderRow[]> {
  const { rows } = await db.query<OrderRow>(
    `SELECT ${ORDER_COLUMNS} FROM orders WHERE buyer_id = ANY($1::text[]) AND status <> 'PENDING' ORDER BY created_at DESC, id`,
    [buyerIds],
  );
  return rows;
}

/** The buyer's order under this key, PENDING ones included. */
export async function orderByIdempotencyKey(db: Queryable, buyerId: string, key: string): Promise<OrderRow | undefined> {
  const { rows } = await db.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE buyer_id = $1 AND idempotency_key = $2`, [buyerId, key]);
  return rows[0];
}

export async function itemsByOrder(db: Queryable, orderIds: readonly string[]): Promise<OrderItemRow[]> {
  const { rows } = await db.query<OrderItemRow>(
    'SELECT order_id AS "orderId", position, upc, quantity, unit_price AS "unitPrice" FROM order_items WHERE order_id = ANY($1::text[]) ORDER BY order_id, position',
    [orderIds],
  );
  return rows;
}

/**
 * Claims the buyer's key with a PENDING order, unless an order holds it
 * already, and answers whichever order holds it. A concurrent claim of the same
 * key waits on the unique index and then does nothing, so exactly one order
 * owns a key. Two statements: the read must see a claim committed while the
 * insert waited, which the insert's own snapshot would not.
 */
export async function claimOrder(db: Queryable, claim: OrderClaim): Promise<OrderRow | undefined> {
  await db.query(
    `INSERT INTO orders (buyer_id, idempotency_key, status, total, request_fingerprint) VALUES ($1, $2, 'PENDING', 0, $3)
     ON CONFLICT (buyer_id, idempotency_key) DO NOTHING`,
    [claim.buyerId, claim.idempotencyKey, claim.requestFingerprint],
  );
  return orderByIdempotencyKey(db, claim.buyerId, claim.idempotencyKey);
}

/**
 * Turns the PENDING order `orderId` into a PLACED one with its lines and total;
 * false when it is no longer pending (placed by a concurrent retry, or abandoned).
 * Run it in a transaction, so the lines and the status change commit together.
 */
export async function completeOrder(db: Queryable, orderId: string, total: number, lines: readonly OrderLine[]): Promise<boolean> {
  const { rowCount } = await db.query("UPDATE orders SET status = 'PLACED', total = $2 WHERE id = $1 AND status = 'PENDING'", [orderId, total]);
  if (rowCount === 0) return false;
  await db.query(
    `INSERT INTO order_items (order_id, position, upc, quantity, unit_price)
     SELECT $1, item.position, item.upc, item.quantity, item.unit_price
     FROM unnest($2::text[], $3::int[], $4::int[]) WITH ORDINALITY AS item (upc, quantity, unit_price, position)`,
    [orderId, lines.map((line) => line.upc), lines.map((line) => line.quantity), lines.map((line) => line.unitPrice)],
  );
  return true;
}

/**
 * Deletes PENDING orders (all claimed at least `olderThanSeconds` ago, or the
 * one `orderId`) and records their reservations for release, in one statement:
 * an order deleted here can no longer complete, and its reservation is never
 * forgotten. Answers the reservation ids recorded.
 */
export async function abandonPendingOrders(db: Queryable, which: { olderThanSeconds: number } | { orderId: string }): Promise<string[]> {
  const [condition, param] =
    'orderId' in which ? ['id = $1', which.orderId] : ["created_at <= now() - $1::integer * interval '1 second'", which.olderThanSeconds];
  const { rows } = await db.query<{ reservation_id: string }>(
    `WITH abandoned AS (DELETE FROM orders WHERE status = 'PENDING' AND ${condition} RETURNING id)
     INSERT INTO abandoned_reservations (reservation_id) SELECT id FROM abandoned ON CONFLICT DO NOTHING RETURNING reservation_id`,
    [param],
  );
  return rows.map((row) => row.reservation_id);
}

/**
 * Cancels the order `orderId` if it is PLACED, and records its reservation for
 * release in the same statement, so the stock of a cancelled order is put back
 * even if the process dies before inventory is told. False when the order is
 * not PLACED: a concurrent cancel, or a later status, got there first.
 */
export async function cancelPlacedOrder(db: Queryable, orderId: string): Promise<boolean> {
  const { rows } = await db.query(
    `WITH cancelled AS (UPDATE orders SET status = 'CANCELLED' WHERE id = $1 AND status = 'PLACED' RETURNING id),
     recorded AS (INSERT INTO abandoned_reservations (reservation_id) SELECT id FROM cancelled ON CONFLICT DO NOTHING)
     SELECT id FROM cancelled`,
    [orderId],
  );
  return rows.length === 1;
}

/** Reservations of abandoned or cancelled orders that inventory has not confirmed released yet, oldest first. */
export async function abandonedReservations(db: Queryable, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ reservation_id: string }>(
    'SELECT reservation_id FROM abandoned_reservations ORDER BY abandoned_at, reservation_id LIMIT $1',
    [limit],
  );
  return rows.map((row) => row.reservation_id);
}

export async function forgetAbandonedReservation(db: Queryable, reservationId: string): Promise<void> {
  await db.query('DELETE FROM abandoned_reservations WHERE reservation_id = $1', [reservationId]);
}

/**
 * Moves the order `orderId` from `from` to `to`, only if it is still `from`:
 * a step run twice, or after a cancel, changes nothing. Answers the buyer of
 * the order it changed, undefined when it changed none.
 */
export async function advanceOrder(db: Queryable, orderId: string, from: OrderStatus, to: OrderStatus): Promise<{ buyerId: string } | undefined> {
  const { rows } = await db.query<{ buyerId: string }>('UPDATE orders SET status = $3 WHERE id = $1 AND status = $2 RETURNING buyer_id AS "buyerId"', [
    orderId,
    from,
    to,
  ]);
  return rows[0];
}

/** Orders still on their way to the buyer, oldest first, for fulfilment to pick up after a restart. */
export async function unfinishedOrders(db: Queryable, limit: number): Promise<{ id: string; status: OrderStatus }[]> {
  const { rows } = await db.query<{ id: string; status: OrderStatus }>(
    "SELECT id, status FROM orders WHERE status IN ('PLACED', 'SHIPPED') ORDER BY created_at, id LIMIT $1",
    [limit],
  );
  return rows;
}
