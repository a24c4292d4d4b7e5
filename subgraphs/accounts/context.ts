import type { VouchedIdentity } from '../../lib/gatewayToken.js';
import type { Database } from '../kit/database.js';
import { createLoaders, type AccountLoaders } from './loaders.js';

export interface AccountsContext {
  db: Database;
  loaders: AccountLoaders;
  /** The signed-in caller's user id; `null` for an anonymous caller. */
  viewerId: string | null;
  /** The caller holds the `admin` scope. */
  viewerIsAdmin: boolean;
}

export function createContext(db: Database, identity: VouchedIdentity): AccountsContext {
  return { db, loaders: createLoaders(db), viewerId: identity.sub, viewerIsAdmin: identity.scopes.includes('admin') };
}
