import type { Queryable } from '../kit/database.js';

export type OrderStatus = 'PLACED' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED';

export interface OrderRow {
  [column: string]: unknown;
  id: string;
  buyerId: string;
  idempotencyKey: string;
  status: OrderStatus;
  total: number;
  createdAt: string;
}

export interface OrderItemRow {
  [column: string]: unknown;
  orderId: string;
  position: number;
  upc: string;
  quantity: number;
  unitPrice: number;
}

export interface NewOrder {
  buyerId: string;
  idempotencyKey: string;
  total: number;
  items: readonly { upc: string; quantity: number; unitPrice: number }[];
}

// Formatted in SQL so both drivers return the same string rather than a Date.
const ORDER_COLUMNS = `id, buyer_id AS "buyerId", idempotency_key AS "idempotencyKey", status, total,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt"`;

export async function ordersById(db: Queryable, ids: readonly string[]): Promise<OrderRow[]> {
  const { rows } = await db.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = ANY($1::text[])`, [ids]);
  return rows;
}

export async function ordersByBuyer(db: Queryable, buyerIds: readonly string[]): Promise<OrderRow[]> {
  const { rows } = await db.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE buyer_id = ANY($1::text[]) ORDER BY created_at DESC, id`, [buyerIds]);
  return rows;
}

export async function orderByIdempotencyKey(db: Queryable, key: string): Promise<OrderRow | undefined> {
  const { rows } = await db.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE idempotency_key = $1`, [key]);
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
 * Inserts an order and its items unless one with the same idempotency key
 * exists. A concurrent insert with the same key waits on the unique index and
 * then does nothing, so only one order results.
 */
export async function insertOrder(db: Queryable, order: NewOrder): Promise<void> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO orders (buyer_id, idempotency_key, status, total) VALUES ($1, $2, 'PLACED', $3)
     ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
    [order.buyerId, order.idempotencyKey, order.total],
  );
  const id = rows[0]?.id;
  if (id === undefined) return;
  await db.query(
    `INSERT INTO order_items (order_id, position, upc, quantity, unit_price)
     SELECT $1, item.position, item.upc, item.quantity, item.unit_price
     FROM unnest($2::text[], $3::int[], $4::int[]) WITH ORDINALITY AS item (upc, quantity, unit_price, position)`,
    [id, order.items.map((item) => item.upc), order.items.map((item) => item.quantity), order.items.map((item) => item.unitPrice)],
  );
}
