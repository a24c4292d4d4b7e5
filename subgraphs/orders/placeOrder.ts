import { ErrorCode } from '../../lib/errors.js';
import type { Database } from '../kit/database.js';
import { SubgraphError } from '../kit/errors.js';
import { mergeItems, sameItems } from '../kit/stockItems.js';
import { claimOrder, completeOrder, itemsByOrder, orderByIdempotencyKey, type OrderRow } from './db.js';
import { fetchPrices, reserveStock, type Peers } from './peers.js';
import { releaseAbandonedOrder } from './releaseAbandonedOrders.js';
import { requestFingerprint } from './requestFingerprint.js';

export interface PlaceOrderInput {
  buyerId: string;
  items: readonly { upc: string; quantity: number }[];
  idempotencyKey: string;
}

const MAX_ITEMS = 50;
const MAX_KEY_LENGTH = 200;
const MAX_SQL_INTEGER = 2_147_483_647;

/**
 * Places an order at most once per buyer and idempotency key:
 * 1. claims the key with a PENDING order carrying the request's fingerprint
 *    (another fingerprint under the key is IDEMPOTENCY_KEY_REUSED; a placed
 *    order with this one is answered as it is);
 * 2. prices the items at products and reserves their stock at inventory under
 *    the claim's id, so every request holding the claim gets the same reservation;
 * 3. writes the lines inventory says it reserved and marks the order PLACED, in
 *    one transaction.
 * A concurrent request with the same input runs the same steps and answers the
 * same order. A failed attempt is abandoned and its reservation released, so
 * the key is free again; an attempt that dies half-way is released later by
 * `releaseAbandonedOrders`.
 */
export async function placeOrder(db: Database, peers: Peers, input: PlaceOrderInput): Promise<OrderRow> {
  validate(input);
  const fingerprint = requestFingerprint(input.items);
  const claim = await claimOrder(db, { buyerId: input.buyerId, idempotencyKey: input.idempotencyKey, requestFingerprint: fingerprint });
  // Only a release between the insert and the read leaves nothing; the request then simply failed.
  if (claim === undefined) throw new Error(`the claim of an order was released before it was read`);
  if ((claim.requestFingerprint ?? requestFingerprint(await itemsByOrder(db, [claim.id]))) !== fingerprint) {
    throw new SubgraphError(
      ErrorCode.IdempotencyKeyReused,
      'This idempotencyKey was already used for an order with other items; use a new key for a new order.',
      {
        argumentName: 'input.idempotencyKey',
      },
    );
  }
  if (claim.status !== 'PENDING') return claim;
  try {
    return await fillClaim(db, peers, claim, input);
  } catch (error) {
    await releaseAbandonedOrder(db, peers.inventory, claim.id).catch((cause: unknown) => {
      console.error(`[orders] releasing order ${claim.id} after a failed attempt failed; the periodic release will retry: ${String(cause)}`);
    });
    throw error;
  }
}

async function fillClaim(db: Database, peers: Peers, claim: OrderRow, input: PlaceOrderInput): Promise<OrderRow> {
  const items = mergeItems(input.items);
  const prices = await fetchPrices(
    peers.products,
    items.map((item) => item.upc),
  );
  const total = items.reduce((sum, item) => sum + item.quantity * (prices.get(item.upc) ?? 0), 0);
  if (total > MAX_SQL_INTEGER) throw badInput('The order total is too large; split it into several orders.', 'items');

  const reserved = await reserveStock(peers.inventory, claim.id, items);
  // Inventory refuses other items under a reservation id; an answer that differs anyway is never written as an order.
  if (!sameItems(reserved, items)) throw new Error(`inventory answered reservation ${claim.id} with other items than requested`);
  const lines = mergeItems(reserved).map((item) => ({ ...item, unitPrice: prices.get(item.upc) ?? 0 }));
  await db.transaction((tx) => completeOrder(tx, claim.id, total, lines));

  // Placed by this request or by a concurrent one with the same input: the same order either way.
  const stored = await orderByIdempotencyKey(db, input.buyerId, input.idempotencyKey);
  if (stored?.id !== claim.id || stored.status === 'PENDING') throw new Error(`order ${claim.id} was abandoned before it completed`);
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
  return new SubgraphError(ErrorCode.BadUserInput, message, { argumentName: `input.${field}` });
}
