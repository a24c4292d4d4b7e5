import type { VouchedIdentity } from '../../lib/gatewayToken.js';
import { ChangedEntities } from '../kit/changedEntities.js';
import type { Database } from '../kit/database.js';
import { DETACHED_EVENTS, type ContextEvents } from '../kit/eventBus.js';
import { createLoaders, type ReviewLoaders } from './loaders.js';

export interface ReviewsContext {
  db: Database;
  loaders: ReviewLoaders;
  /** The signed-in caller's user id; `null` for an anonymous caller. */
  viewerId: string | null;
  /** What this request's mutations changed, reported to the gateway for cache invalidation. */
  changes: ChangedEntities;
  /** Publishes new reviews; `reviewAdded` listens on it. */
  events: ContextEvents;
}

export function createContext(db: Database, identity: VouchedIdentity, events: ContextEvents = DETACHED_EVENTS): ReviewsContext {
  return { db, loaders: createLoaders(db), viewerId: identity.sub, changes: new ChangedEntities(), events };
}
