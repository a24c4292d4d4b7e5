import { createHash } from 'node:crypto';
import { mergeItems, type StockItem } from '../kit/stockItems.js';

/**
 * The fingerprint stored with an idempotency key: sha256 (hex) of the items in
 * canonical form, one [upc, quantity] per product with quantities added up,
 * sorted by upc. Listing the same units in another order, or splitting a line,
 * is the same request; any other difference is another request.
 */
export function requestFingerprint(items: readonly StockItem[]): string {
  const canonical = mergeItems(items).map(({ upc, quantity }) => [upc, quantity]);
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}
