import DataLoader from 'dataloader';
import { byKey, groupByKey } from '../kit/batch.js';
import type { Queryable } from '../kit/database.js';
import { itemsByOrder, ordersByBuyer, ordersById, type OrderItemRow, type OrderRow } from './db.js';

export interface OrderLoaders {
  orderById: DataLoader<string, OrderRow>;
  itemsByOrderId: DataLoader<string, OrderItemRow[]>;
  /** A buyer's orders, newest first. */
  ordersByBuyerId: DataLoader<string, OrderRow[]>;
}

/** Per-request loaders: each batches every load in one tick into one query. */
export function createLoaders(db: Queryable): OrderLoaders {
  return {
    orderById: new DataLoader(async (ids) => byKey('Order', ids, await ordersById(db, ids), (row) => row.id)),
    itemsByOrderId: new DataLoader(async (ids) => groupByKey(ids, await itemsByOrder(db, ids), (row) => row.orderId)),
    ordersByBuyerId: new DataLoader(async (ids) => groupByKey(ids, await ordersByBuyer(db, ids), (row) => row.buyerId)),
  };
}
