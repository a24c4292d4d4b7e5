import type { Database } from '../kit/database.js';
import { createLoaders, type InventoryLoaders } from './loaders.js';

export interface InventoryContext {
  db: Database;
  loaders: InventoryLoaders;
}

export function createContext(db: Database): InventoryContext {
  return { db, loaders: createLoaders(db) };
}
