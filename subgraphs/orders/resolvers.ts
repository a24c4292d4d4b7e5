import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { loadOrNull } from '../kit/batch.js';
import type { OrdersContext } from './context.js';
import type { OrderItemRow, OrderRow } from './db.js';
import { placeOrder, type PlaceOrderInput } from './placeOrder.js';

export const resolvers: GraphQLResolverMap<OrdersContext> = {
  Query: {
    order: (_: unknown, args: { id: string }, ctx: OrdersContext) => loadOrNull(ctx.loaders.orderById, args.id),
  },
  Mutation: {
    placeOrder: (_: unknown, args: { input: PlaceOrderInput }, ctx: OrdersContext) => placeOrder(ctx.db, ctx.peers, args.input),
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
    orders: (user: { id: string }, _: unknown, ctx: OrdersContext) => ctx.loaders.ordersByBuyerId.load(user.id),
  },
};
