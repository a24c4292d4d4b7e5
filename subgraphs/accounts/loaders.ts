import DataLoader from 'dataloader';
import { byKey } from '../kit/batch.js';
import type { Queryable } from '../kit/database.js';
import { usersById, type UserRow } from './db.js';

export interface AccountLoaders {
  userById: DataLoader<string, UserRow>;
}

/** Per-request loaders: each batches every load in one tick into one query. */
export function createLoaders(db: Queryable): AccountLoaders {
  return {
    userById: new DataLoader(async (ids) => byKey('User', ids, await usersById(db, ids), (row) => row.id)),
  };
}
