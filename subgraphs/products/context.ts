import type { Database } from '../kit/database.js';
import { createLoaders, type ProductLoaders } from './loaders.js';

export interface ProductsContext {
  db: Database;
  loaders: ProductLoaders;
}

export function createContext(db: Database): ProductsContext {
  return { db, loaders: createLoaders(db) };
}
