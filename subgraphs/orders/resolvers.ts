import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { ErrorCode } from '../../lib/errors.js';
import { loadOrNull } from '../kit/batch.js';
import { ForbiddenError, SubgraphError } from '../kit/errors.js';
import type { OrdersContext } from './context.js';
import type { OrderItemRow, OrderRow } from './db.js';
import { cancelOrder } from './cancelOrder.js';
import { orderStatusTrigger } from './orderEvents.js';
import { placeOrder, type PlaceOrderInput } from './placeOrder.js';

/**
 * The order, for its buyer or an admin. An unknown order is refused like
 * another buyer's, so a subscriber cannot probe which ids exist.
 */
async function ownOrder(ctx: OrdersContext, orderId: string): Promise<OrderRow> {
  const order = await loadOrNull(ctx.loaders.orderById, orderId);
  if (order === null || (order.buyerId !== ctx.viewerId && !ctx.viewerIsAdmin)) throw new ForbiddenError('Only the buyer or an admin can follow this order.');
  return order;
}

export const resolvers: GraphQLResolverMap<OrdersContext> = {
  Query: {
    async order(_: unknown, args: { id: string }, ctx: OrdersContext) {
      const order = await loadOrNull(ctx.loaders.orderById, args.id);
      if (order !== null && order.buyerId !== ctx.viewerId && !ctx.viewerIsAdmin) throw new ForbiddenError('Only the buyer or an admin can read this order.');
      return order;
    },
  },
  Mutation: {
    async placeOrder(_: unknown, args: { input: Omit<PlaceOrderInput, 'buyerId'> }, ctx: OrdersContext) {
      // The buyer is whoever the gateway vouches for, never a client-supplied id.
      if (ctx.viewerId === null) throw new SubgraphError(ErrorCode.Unauthenticated, 'You must be signed in to place an order.');
      // Keys are scoped to the buyer, so another buyer's key is simply a new key here.
      const order = await placeOrder(ctx.db, ctx.peers, { ...args.input, buyerId: ctx.viewerId });
      // Placed whatever happens next: an order fulfilment cannot take now is picked up at the next start.
      // A retry answering an order placed before schedules nothing new, as its steps have the same ids.
      await ctx.orderEvents
        .placed(order)
        .catch((error: unknown) => console.error(`[orders] scheduling the fulfilment of order ${order.id} failed: ${String(error)}`));
      // Stock of every item changed at inventory, and the buyer has a new order.
      ctx.changes.add('Product', ...args.input.items.map((item) => item.upc));
      ctx.changes.add('User', order.buyerId);
      ctx.changes.add('Order', order.id);
      return order;
    },
    async cancelOrder(_: unknown, args: { id: string }, ctx: OrdersContext) {
      if (ctx.viewerId === null) throw new SubgraphError(ErrorCode.Unauthenticated, 'You must be signed in to cancel an order.');
      const order = await cancelOrder(ctx.db, ctx.peers.inventory, args.id, { userId: ctx.viewerId, isAdmin: ctx.viewerIsAdmin });
      await ctx.orderEvents
        .statusChanged(order.id)
        .catch((error: unknown) => console.error(`[orders] publishing the cancel of order ${order.id} failed: ${String(error)}`));
      // Its stock is back at inventory, and the order and its buyer's list show the new status.
      const items = await ctx.loaders.itemsByOrderId.load(order.id);
      ctx.changes.add('Product', ...items.map((item) => item.upc));
      ctx.changes.add('User', order.buyerId);
      ctx.changes.add('Order', order.id);
      return order;
    },
  },
  Subscription: {
    orderStatusChanged: {
      async subscribe(_: unknown, args: { orderId: string }, ctx: OrdersContext) {
        await ownOrder(ctx, args.orderId);
        return ctx.subscribe([orderStatusTrigger(args.orderId)]);
      },
      // Checked again for each event, with this event's own loaders: the state it delivers is the current one.
      resolve: (event: { orderId: string }, _: unknown, ctx: OrdersContext) => ownOrder(ctx, event.orderId),
    },
  },
  Order: {
    __resolveReference: (ref: { id: string }, ctx: OrdersContext) => loadOrNull(ctx.loaders.orderById, ref.id),
    buyer: (order: OrderRow) => ({ __typename: 'User', id: order.buyerId }),
    items: (order: OrderRow, _: unknown, ctx: OrdersContext) => ctx.loaders.itemsByOrderId.load(order.id),
  },
  OrderItem: {
    product: (item: OrderItemRow) => ({ __typename: 'Product', upc: item.upc }),
  },
  User: {
    orders(user: { id: string }, _: unknown, ctx: OrdersContext) {
      // Refused before the loader, so a batch of other users' orders costs no query.
      if (ctx.viewerId !== user.id && !ctx.viewerIsAdmin) throw new ForbiddenError('Only the account owner or an admin can read User.orders.');
      return ctx.loaders.ordersByBuyerId.load(user.id);
    },
  },
};
