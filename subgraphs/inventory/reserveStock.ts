import type { Database } from '../kit/database.js';
import { SubgraphError, SubgraphErrorCode } from '../kit/errors.js';
import { insertReservation, insertReservationItems, takeStock, type StockItem } from './db.js';

const MAX_RESERVATION_ID_LENGTH = 200;
const MAX_SQL_INTEGER = 2_147_483_647;

export interface StockReservation {
  reservationId: string;
  created: boolean;
}

/**
 * Takes every item out of stock in one transaction, or nothing: a missing unit
 * throws OUT_OF_STOCK and rolls back the reservation too. A reservation id seen
 * before changes nothing, so callers can retry safely.
 */
export async function reserveStock(db: Database, reservationId: string, items: readonly StockItem[]): Promise<StockReservation> {
  validate(reservationId, items);
  const merged = mergeItems(items);
  // Duplicate lines add up; past the column's range no stock could ever cover them.
  const tooMany = merged.find((item) => item.quantity > MAX_SQL_INTEGER);
  if (tooMany !== undefined) throw outOfStock(tooMany.upc);
  return db.transaction(async (tx) => {
    if (!(await insertReservation(tx, reservationId))) return { reservationId, created: false };
    for (const item of merged) {
      if (!(await takeStock(tx, item.upc, item.quantity))) throw outOfStock(item.upc);
    }
    await insertReservationItems(tx, reservationId, merged);
    return { reservationId, created: true };
  });
}

function outOfStock(upc: string): SubgraphError {
  return new SubgraphError(SubgraphErrorCode.OutOfStock, `Not enough stock for product ${upc}.`, { upc });
}

function validate(reservationId: string, items: readonly StockItem[]): void {
  if (reservationId.length === 0 || reservationId.length > MAX_RESERVATION_ID_LENGTH) {
    throw new SubgraphError(SubgraphErrorCode.BadUserInput, `reservationId must be 1 to ${MAX_RESERVATION_ID_LENGTH} characters.`, { argumentName: 'reservationId' });
  }
  if (items.length === 0) throw new SubgraphError(SubgraphErrorCode.BadUserInput, 'A reservation needs at least one item.', { argumentName: 'items' });
  for (const item of items) {
    if (!Number.isInteger(item.quantity) || item.quantity <= 0) {
      throw new SubgraphError(SubgraphErrorCode.BadUserInput, `The quantity of product ${item.upc} must be a positive integer.`, { argumentName: 'items', upc: item.upc });
    }
  }
}

/**
 * One line per upc, sorted by upc: concurrent reservations then lock stock rows
 * in the same order and cannot deadlock each other.
 */
export function mergeItems(items: readonly StockItem[]): StockItem[] {
  const quantities = new Map<string, number>();
  for (const item of items) quantities.set(item.upc, (quantities.get(item.upc) ?? 0) + item.quantity);
  return [...quantities]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([upc, quantity]) => ({ upc, quantity }));
}
