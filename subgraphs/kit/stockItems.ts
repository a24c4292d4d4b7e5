/** A number of units of one product, as orders ask for them and inventory reserves them. */
export interface StockItem {
  upc: string;
  quantity: number;
}

/**
 * One line per upc, quantities added up, sorted by upc: the canonical form of
 * a list of items. Orders and inventory compare requests in this form, and
 * concurrent reservations lock stock rows in this order, so they cannot deadlock.
 */
export function mergeItems(items: readonly StockItem[]): StockItem[] {
  const quantities = new Map<string, number>();
  for (const item of items) quantities.set(item.upc, (quantities.get(item.upc) ?? 0) + item.quantity);
  return [...quantities].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([upc, quantity]) => ({ upc, quantity }));
}

/** Whether two lists hold the same units of the same products, however they are listed. */
export function sameItems(a: readonly StockItem[], b: readonly StockItem[]): boolean {
  const left = mergeItems(a);
  const right = mergeItems(b);
  return left.length === right.length && left.every((item, i) => item.upc === right[i]?.upc && item.quantity === right[i].quantity);
}
