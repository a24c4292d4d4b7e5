import { ErrorCode } from '../../lib/errors.js';
import type { Database } from '../kit/database.js';
import { SubgraphError } from '../kit/errors.js';
import { mergeItems, sameItems, type StockItem } from '../kit/stockItems.js';
import { insertReservation, insertReservationItems, lockReservation, reservedItems, takeStock } from './db.js';

const MAX_RESERVATION_ID_LENGTH = 200;
const MAX_SQL_INTEGER = 2_147_483_647;

export interface StockReservation {
  reservationId: string;
  created: boolean;
  /** What the reservation holds: one line per upc, sorted by upc. */
  items: StockItem[];
}

/**
 * Takes every item out of stock in one transaction, or nothing: a missing unit
 * throws OUT_OF_STOCK and rolls back the reservation too. A reservation id seen
 * before changes nothing and answers what that reservation holds, so callers can
 * retry safely; the same id with other items is refused (IDEMPOTENCY_KEY_REUSED),
 * and so is a released id (RESERVATION_RELEASED).
 */
export async function reserveStock(db: Database, reservationId: string, items: readonly StockItem[]): Promise<StockReservation> {
  validate(reservationId, items);
  const merged = mergeItems(items);
  // Duplicate lines add up; past the column's range no stock could ever cover them.
  const tooMany = merged.find((item) => item.quantity > MAX_SQL_INTEGER);
  if (tooMany !== undefined) throw outOfStock(tooMany.upc);
  return db.transaction(async (tx) => {
    if (!(await insertReservation(tx, reservationId))) {
      if ((await lockReservation(tx, reservationId))?.released !== false) {
        throw new SubgraphError(ErrorCode.ReservationReleased, `Reservation ${reservationId} was released; reserve under a new id.`, {
          argumentName: 'reservationId',
        });
      }
      const held = mergeItems(await reservedItems(tx, reservationId));
      if (!sameItems(held, merged)) {
        throw new SubgraphError(ErrorCode.IdempotencyKeyReused, `Reservation ${reservationId} holds other items.`, { argumentName: 'reservationId' });
      }
      return { reservationId, created: false, items: held };
    }
    for (const item of merged) {
      if (!(await takeStock(tx, item.upc, item.quantity))) throw outOfStock(item.upc);
    }
    await insertReservationItems(tx, reservationId, merged);
    return { reservationId, created: true, items: merged };
  });
}

function outOfStock(upc: string): SubgraphError {
  return new SubgraphError(ErrorCode.OutOfStock, `Not enough stock for product ${upc}.`, { upc });
}

function validate(reservationId: string, items: readonly StockItem[]): void {
  validateReservationId(reservationId);
  if (items.length === 0) throw new SubgraphError(ErrorCode.BadUserInput, 'A reservation needs at least one item.', { argumentName: 'items' });
  for (const item of items) {
    if (!Number.isInteger(item.quantity) || item.quantity <= 0) {
      throw new SubgraphError(ErrorCode.BadUserInput, `The quantity of product ${item.upc} must be a positive integer.`, {
        argumentName: 'items',
        upc: item.upc,
      });
    }
  }
}

export function validateReservationId(reservationId: string): void {
  if (reservationId.length === 0 || reservationId.length > MAX_RESERVATION_ID_LENGTH) {
    throw new SubgraphError(ErrorCode.BadUserInput, `reservationId must be 1 to ${MAX_RESERVATION_ID_LENGTH} characters.`, { argumentName: 'reservationId' });
  }
}
