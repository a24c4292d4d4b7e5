import type { Database } from '../kit/database.js';
import { SubgraphError, SubgraphErrorCode } from '../kit/errors.js';
import { insertOrder, orderByIdempotencyKey, type OrderRow } from './db.js';
import { fetchPrices, reserveStock, type Peers } from './peers.js';

export interface PlaceOrderInput {
  buyerId: string;
  items: readonly { upc: string; quantity: number }[];
  idempotencyKey: string;
}

const MAX_ITEMS = 50;
const MAX_KEY_LENGTH = 200;
const MAX_SQL_INTEGER = 2_147_483_647;

/**
 * Places an order at most once per idempotency key: prices the items at
 * products, reserves their stock at inventory under the key, then stores the
 * order. A retry after any failure is safe, since inventory never reserves the
 * same key twice and the order insert does nothing if the key is taken.
 */
export async function placeOrder(db: Database, peers: Peers, input: PlaceOrderInput): Promise<OrderRow> {
  validate(input);
  const placed = await orderByIdempotencyKey(db, input.idempotencyKey);
  if (placed !== undefined) return placed;

  const prices = await fetchPrices(peers.products, [...new Set(input.items.map((item) => item.upc))]);
  const items = input.items.map((item) => ({ ...item, unitPrice: prices.get(item.upc) ?? 0 }));
  const total = items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
  if (total > MAX_SQL_INTEGER) throw badInput('The order total is too large; split it into several orders.', 'items');

  await reserveStock(peers.inventory, input.idempotencyKey, input.items);
  await db.transaction((tx) => insertOrder(tx, { buyerId: input.buyerId, idempotencyKey: input.idempotencyKey, total, items }));
  const stored = await orderByIdempotencyKey(db, input.idempotencyKey);
  if (stored === undefined) throw new Error(`order ${input.idempotencyKey} vanished after insert`);
  return stored;
}

function validate(input: PlaceOrderInput): void {
  if (input.buyerId.trim() === '') throw badInput('buyerId must not be empty.', 'buyerId');
  if (input.idempotencyKey.length === 0 || input.idempotencyKey.length > MAX_KEY_LENGTH) {
    throw badInput(`idempotencyKey must be 1 to ${MAX_KEY_LENGTH} characters.`, 'idempotencyKey');
  }
  if (input.items.length === 0 || input.items.length > MAX_ITEMS) throw badInput(`An order needs 1 to ${MAX_ITEMS} items.`, 'items');
  for (const item of input.items) {
    if (item.upc === '') throw badInput('Every item needs a upc.', 'items');
    if (!Number.isInteger(item.quantity) || item.quantity <= 0) throw badInput(`The quantity of product ${item.upc} must be a positive integer.`, 'items');
  }
}

function badInput(message: string, field: string): SubgraphError {
  return new SubgraphError(SubgraphErrorCode.BadUserInput, message, { argumentName: `input.${field}` });
}
