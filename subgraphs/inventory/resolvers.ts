import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { ErrorCode } from '../../lib/errors.js';
import { ForbiddenError, SubgraphError } from '../kit/errors.js';
import type { InventoryContext } from './context.js';
import type { StockItem } from '../kit/stockItems.js';
import { releaseStock } from './releaseStock.js';
import { reserveStock } from './reserveStock.js';
import { shippingEstimate } from './shipping.js';

/** A Product representation; the gateway adds price and weight when shippingEstimate is asked for. */
interface ProductReference {
  upc: string;
  price?: number;
  weight?: number;
}

interface StockedProduct extends ProductReference {
  quantity: number;
}

export const resolvers: GraphQLResolverMap<InventoryContext> = {
  Product: {
    // Keeps the @requires fields from the representation for shippingEstimate.
    __resolveReference: async (ref: ProductReference, ctx: InventoryContext): Promise<StockedProduct> => ({
      ...ref,
      quantity: await ctx.loaders.quantityByUpc.load(ref.upc),
    }),
    inStock: (product: StockedProduct) => product.quantity > 0,
    shippingEstimate(product: StockedProduct): number {
      if (product.price === undefined || product.weight === undefined) {
        throw new SubgraphError(ErrorCode.BadUserInput, 'shippingEstimate needs the product representation to include price and weight.');
      }
      return shippingEstimate(product.price, product.weight);
    },
  },
  Mutation: {
    reserveStock: (_: unknown, args: { reservationId: string; items: StockItem[] }, ctx: InventoryContext) => {
      // Stock is taken only for an order being placed; no user, admin or not, reserves it directly.
      if (ctx.callerService !== 'orders') throw new ForbiddenError('Only the orders service may reserve stock.');
      return reserveStock(ctx.db, args.reservationId, args.items);
    },
    releaseStock: (_: unknown, args: { reservationId: string }, ctx: InventoryContext) => {
      if (ctx.callerService !== 'orders') throw new ForbiddenError('Only the orders service may release stock.');
      return releaseStock(ctx.db, args.reservationId);
    },
  },
};
