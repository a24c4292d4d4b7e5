import type { VouchedIdentity } from '../../lib/gatewayToken.js';
import type { Database } from '../kit/database.js';
import { createLoaders, type ReviewLoaders } from './loaders.js';

export interface ReviewsContext {
  db: Database;
  loaders: ReviewLoaders;
  /** The signed-in caller's user id; `null` for an anonymous caller. */
  viewerId: string | null;
}

export function createContext(db: Database, identity: VouchedIdentity): ReviewsContext {
  return { db, loaders: createLoaders(db), viewerId: identity.sub };
}
