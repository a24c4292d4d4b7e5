import type { VouchedIdentity } from '../../lib/gatewayToken.js';
import type { Database } from '../kit/database.js';
import { createLoaders, type OrderLoaders } from './loaders.js';
import type { Peers } from './peers.js';

export interface OrdersContext {
  db: Database;
  loaders: OrderLoaders;
  peers: Peers;
  /** The signed-in caller's user id; `null` for an anonymous caller. */
  viewerId: string | null;
  /** The caller holds the `admin` scope. */
  viewerIsAdmin: boolean;
}

export function createContext(db: Database, peers: Peers, identity: VouchedIdentity): OrdersContext {
  return { db, loaders: createLoaders(db), peers, viewerId: identity.sub, viewerIsAdmin: identity.scopes.includes('admin') };
}
