import DataLoader from 'dataloader';
import type { Queryable } from '../kit/database.js';
import { stockByUpc } from './db.js';

export interface InventoryLoaders {
  /** Units in stock by upc; a product without a stock row has none. */
  quantityByUpc: DataLoader<string, number>;
}

/** Per-request loaders: each batches every load in one tick into one query. */
export function createLoaders(db: Queryable): InventoryLoaders {
  return {
    quantityByUpc: new DataLoader(async (upcs) => {
      const quantities = new Map((await stockByUpc(db, upcs)).map((row) => [row.upc, row.quantity]));
      return upcs.map((upc) => quantities.get(upc) ?? 0);
    }),
  };
}
