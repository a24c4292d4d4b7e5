import type { Database } from '../kit/database.js';
import { abandonedReservations, abandonPendingOrders, forgetAbandonedReservation } from './db.js';
import type { PeerClient } from './peerClient.js';
import { releaseStock } from './peers.js';

/** How long an order may stay PENDING before its reservation is released: far beyond any request's life. */
export const PENDING_ORDER_DEADLINE_SECONDS = 15 * 60;

/** How often the orders service looks for abandoned orders. */
export const RELEASE_INTERVAL_MS = 60_000;

const RELEASES_PER_RUN = 100;

/**
 * Abandons every order PENDING for at least `deadlineSeconds` (its request
 * died between claiming the key and completing the order) and has inventory
 * put the stock of every abandoned order back, and of every cancelled order
 * whose release has not been confirmed yet. An abandoned order can no
 * longer complete, and its key is free for a new request. Answers how many
 * reservations were released.
 */
export async function releaseAbandonedOrders(db: Database, inventory: PeerClient, deadlineSeconds = PENDING_ORDER_DEADLINE_SECONDS): Promise<number> {
  await abandonPendingOrders(db, { olderThanSeconds: deadlineSeconds });
  let released = 0;
  // Also those an earlier run recorded but could not release (inventory down).
  for (const reservationId of await abandonedReservations(db, RELEASES_PER_RUN)) {
    await release(db, inventory, reservationId);
    released += 1;
  }
  return released;
}

/** Abandons the PENDING order `orderId` now (its attempt failed) and releases its reservation. */
export async function releaseAbandonedOrder(db: Database, inventory: PeerClient, orderId: string): Promise<void> {
  for (const reservationId of await abandonPendingOrders(db, { orderId })) await release(db, inventory, reservationId);
}

/** Has inventory put a recorded reservation back; forgotten only once inventory confirmed, so a failed call is retried by the next run. */
export async function release(db: Database, inventory: PeerClient, reservationId: string): Promise<void> {
  await releaseStock(inventory, reservationId);
  await forgetAbandonedReservation(db, reservationId);
}

/** Runs `releaseAbandonedOrders` every `intervalMs` until the returned function is called; failures are logged and retried next time. */
export function startReleasingAbandonedOrders(db: Database, inventory: PeerClient, intervalMs = RELEASE_INTERVAL_MS): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    releaseAbandonedOrders(db, inventory)
      .then((released) => {
        if (released > 0) console.log(`[orders] released the stock of ${released} abandoned orders`);
      })
      .catch((error: unknown) => console.error(`[orders] releasing abandoned orders failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
