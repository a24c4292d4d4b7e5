import type { Database } from '../kit/database.js';
import { mergeItems } from '../kit/stockItems.js';
import { markReleased, reservedItems, returnStock } from './db.js';
import { validateReservationId } from './reserveStock.js';

export interface StockRelease {
  reservationId: string;
  /** True when this call put the reservation's units back in stock; false when it held none or was released before. */
  returned: boolean;
}

/**
 * Puts a reservation's units back in stock, once, and retires its id: a
 * reservation arriving later under the same id is refused, so releasing an id
 * before its reservation arrives cannot leave stock taken with nobody to release it.
 */
export async function releaseStock(db: Database, reservationId: string): Promise<StockRelease> {
  validateReservationId(reservationId);
  return db.transaction(async (tx) => {
    if (!(await markReleased(tx, reservationId))) return { reservationId, returned: false };
    // In upc order, as reservations take stock, so a release and a reservation cannot deadlock.
    for (const item of mergeItems(await reservedItems(tx, reservationId))) await returnStock(tx, item.upc, item.quantity);
    return { reservationId, returned: true };
  });
}
