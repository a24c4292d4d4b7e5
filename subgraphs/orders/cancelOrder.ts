import { ErrorCode } from '../../lib/errors.js';
import type { Database } from '../kit/database.js';
import { ForbiddenError, SubgraphError } from '../kit/errors.js';
import { cancelPlacedOrder, ordersById, type OrderRow } from './db.js';
import type { PeerClient } from './peerClient.js';
import { release } from './releaseAbandonedOrders.js';

export interface Canceller {
  readonly userId: string;
  readonly isAdmin: boolean;
}

/**
 * Cancels a PLACED order for its buyer or an admin and puts its stock back.
 * Of concurrent cancels exactly one wins; the others, like a cancel of an order
 * that has shipped, fail with ORDER_NOT_CANCELLABLE. If inventory cannot be
 * reached, the order is still cancelled and the periodic release returns the stock.
 */
export async function cancelOrder(db: Database, inventory: PeerClient, orderId: string, by: Canceller): Promise<OrderRow> {
  const [order] = await ordersById(db, [orderId]);
  if (order === undefined) throw new SubgraphError(ErrorCode.NotFound, `There is no order ${orderId}.`, { argumentName: 'id' });
  if (order.buyerId !== by.userId && !by.isAdmin) throw new ForbiddenError('Only the buyer or an admin can cancel this order.');
  if (!(await cancelPlacedOrder(db, order.id))) {
    const status = (await ordersById(db, [order.id]))[0]?.status ?? order.status;
    throw new SubgraphError(ErrorCode.OrderNotCancellable, `Order ${order.id} is ${status}; only a PLACED order can be cancelled.`, { status });
  }
  await release(db, inventory, order.id).catch((cause: unknown) => {
    console.error(`[orders] releasing the stock of cancelled order ${order.id} failed; the periodic release will retry: ${String(cause)}`);
  });
  return { ...order, status: 'CANCELLED' };
}
