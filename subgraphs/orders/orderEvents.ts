import type { EventPublisher } from '../kit/eventBus.js';
import type { OrderRow } from './db.js';

/** The trigger of `orderStatusChanged` for one order: subscribers of an order hear only its changes. */
export function orderStatusTrigger(orderId: string): string {
  return `orderStatusChanged.${orderId}`;
}

/** What happens to an order after a request changed it: subscribers are told, and placed orders go to fulfilment. */
export interface OrderEvents {
  /** A new order was placed (or a retry answered one): fulfilment takes it from here. */
  placed(order: OrderRow): Promise<void>;
  /** The order's status changed; its subscribers read the new state. */
  statusChanged(orderId: string): Promise<void>;
}

/** Tells the subscribers of an order, on every replica, that its status changed. */
export function statusPublisher(events: EventPublisher): OrderEvents['statusChanged'] {
  return (orderId) => events.publish(orderStatusTrigger(orderId), { orderId });
}

/** For a server executed directly (tests): nobody subscribes, and no fulfilment runs. */
export const UNOBSERVED_ORDERS: OrderEvents = { placed: async () => undefined, statusChanged: async () => undefined };
