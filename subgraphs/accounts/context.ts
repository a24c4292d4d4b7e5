import type { Database } from '../kit/database.js';
import { createLoaders, type AccountLoaders } from './loaders.js';

export interface AccountsContext {
  db: Database;
  loaders: AccountLoaders;
}

export function createContext(db: Database): AccountsContext {
  return { db, loaders: createLoaders(db) };
}
