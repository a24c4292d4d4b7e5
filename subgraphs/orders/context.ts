import type { VouchedIdentity } from '../../lib/gatewayToken.js';
import { ChangedEntities } from '../kit/changedEntities.js';
import type { Database } from '../kit/database.js';
import { createLoaders, type OrderLoaders } from './loaders.js';
import type { Peers } from './peers.js';

export interface OrdersContext {
  db: Database;
  loaders: OrderLoaders;
  peers: Peers;
  /** The signed-in caller's user id; `null` for an anonymous caller. */
  viewerId: string | null;
  /** What this request's mutations changed, reported to the gateway for cache invalidation. */
  changes: ChangedEntities;
  /** The caller holds the `admin` scope. */
  viewerIsAdmin: boolean;
}

export function createContext(db: Database, peers: Peers, identity: VouchedIdentity): OrdersContext {
  return { db, loaders: createLoaders(db), peers, viewerId: identity.sub, changes: new ChangedEntities(), viewerIsAdmin: identity.scopes.includes('admin') };
}
