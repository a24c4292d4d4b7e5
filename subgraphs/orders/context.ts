import type { Database } from '../kit/database.js';
import { createLoaders, type OrderLoaders } from './loaders.js';
import type { Peers } from './peers.js';

export interface OrdersContext {
  db: Database;
  loaders: OrderLoaders;
  peers: Peers;
}

export function createContext(db: Database, peers: Peers): OrdersContext {
  return { db, loaders: createLoaders(db), peers };
}
