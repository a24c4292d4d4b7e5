import DataLoader from 'dataloader';
import { byKey } from '../kit/batch.js';
import type { Queryable } from '../kit/database.js';
import { productsByUpc, type ProductRow } from './db.js';

export interface ProductLoaders {
  productByUpc: DataLoader<string, ProductRow>;
}

/** Per-request loaders: each batches every load in one tick into one query. */
export function createLoaders(db: Queryable): ProductLoaders {
  return {
    productByUpc: new DataLoader(async (upcs) => byKey('Product', upcs, await productsByUpc(db, upcs), (row) => row.upc)),
  };
}
