import { GATEWAY_ISSUER, type VouchedIdentity } from '../../lib/gatewayToken.js';
import type { Database } from '../kit/database.js';
import { DETACHED_EVENTS, type ContextEvents } from '../kit/eventBus.js';
import { createLoaders, type InventoryLoaders } from './loaders.js';

export interface InventoryContext {
  db: Database;
  loaders: InventoryLoaders;
  /** The service calling as itself with its own key; `null` when the gateway calls on a user's behalf. */
  callerService: string | null;
  /** Publishes stock changes; `stockChanged` listens on it. */
  events: ContextEvents;
}

export function createContext(db: Database, identity: VouchedIdentity, events: ContextEvents = DETACHED_EVENTS): InventoryContext {
  return { db, loaders: createLoaders(db), callerService: identity.issuer === GATEWAY_ISSUER ? null : identity.issuer, events };
}
