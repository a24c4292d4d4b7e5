import type { VouchedIdentity } from '../../lib/gatewayToken.js';
import { ChangedEntities } from '../kit/changedEntities.js';
import type { Database } from '../kit/database.js';
import { DETACHED_EVENTS, type EventBus } from '../kit/eventBus.js';
import { createLoaders, type OrderLoaders } from './loaders.js';
import { UNOBSERVED_ORDERS, type OrderEvents } from './orderEvents.js';
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
  /** Told of placed orders and status changes, for subscribers and fulfilment. */
  orderEvents: OrderEvents;
  /** Where `orderStatusChanged` listens: the service's event bus. */
  subscribe: EventBus['subscribe'];
}

/** Without `orderEvents` and `subscribe` (a server executed directly), nobody hears of changes and nobody can subscribe. */
export function createContext(
  db: Database,
  peers: Peers,
  identity: VouchedIdentity,
  orderEvents: OrderEvents = UNOBSERVED_ORDERS,
  subscribe: OrdersContext['subscribe'] = DETACHED_EVENTS.subscribe,
): OrdersContext {
  return {
    db,
    loaders: createLoaders(db),
    peers,
    viewerId: identity.sub,
    changes: new ChangedEntities(),
    viewerIsAdmin: identity.scopes.includes('admin'),
    orderEvents,
    subscribe,
  };
}
