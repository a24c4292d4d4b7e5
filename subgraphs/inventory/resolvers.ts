import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { ErrorCode } from '../../lib/errors.js';
import { ForbiddenError, SubgraphError } from '../kit/errors.js';
import type { InventoryContext } from './context.js';
import { reservedItems } from './db.js';
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

/** Products one `stockChanged` may follow: each is a channel the subscription listens on. */
export const MAX_FOLLOWED_UPCS = 100;
const MAX_UPC_LENGTH = 200;

const stockTrigger = (upc: string): string => `stockChanged.${upc}`;

/** Tells the followers of each product that its stock changed; the change is made already, so a failure is only logged. */
async function publishStockChanges(ctx: InventoryContext, upcs: readonly string[]): Promise<void> {
  await Promise.all(
    [...new Set(upcs)].map((upc) =>
      ctx.events
        .publish(stockTrigger(upc), { upc })
        .catch((error: unknown) => console.error(`[inventory] publishing the stock change of ${upc} failed: ${String(error)}`)),
    ),
  );
}

function followedUpcs(upcs: readonly string[]): string[] {
  const distinct = [...new Set(upcs)];
  if (distinct.length === 0 || distinct.length > MAX_FOLLOWED_UPCS) {
    throw new SubgraphError(ErrorCode.BadUserInput, `stockChanged follows 1 to ${MAX_FOLLOWED_UPCS} products; got ${distinct.length}.`, {
      argumentName: 'upcs',
    });
  }
  const bad = distinct.find((upc) => upc.length === 0 || upc.length > MAX_UPC_LENGTH);
  if (bad !== undefined) throw new SubgraphError(ErrorCode.BadUserInput, `Every upc must be 1 to ${MAX_UPC_LENGTH} characters.`, { argumentName: 'upcs' });
  return distinct;
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
    async reserveStock(_: unknown, args: { reservationId: string; items: StockItem[] }, ctx: InventoryContext) {
      // Stock is taken only for an order being placed; no user, admin or not, reserves it directly.
      if (ctx.callerService !== 'orders') throw new ForbiddenError('Only the orders service may reserve stock.');
      const reservation = await reserveStock(ctx.db, args.reservationId, args.items);
      if (reservation.created)
        await publishStockChanges(
          ctx,
          reservation.items.map((item) => item.upc),
        );
      return reservation;
    },
    async releaseStock(_: unknown, args: { reservationId: string }, ctx: InventoryContext) {
      if (ctx.callerService !== 'orders') throw new ForbiddenError('Only the orders service may release stock.');
      const release = await releaseStock(ctx.db, args.reservationId);
      if (release.returned)
        await publishStockChanges(
          ctx,
          (await reservedItems(ctx.db, args.reservationId)).map((item) => item.upc),
        );
      return release;
    },
  },
  Subscription: {
    stockChanged: {
      subscribe: (_: unknown, args: { upcs: string[] }, ctx: InventoryContext) => ctx.events.subscribe(followedUpcs(args.upcs).map(stockTrigger)),
      // Read for each event with its own loaders: the quantity is the one after this change.
      resolve: async (event: { upc: string }, _: unknown, ctx: InventoryContext): Promise<StockedProduct> => ({
        upc: event.upc,
        quantity: await ctx.loaders.quantityByUpc.load(event.upc),
      }),
    },
  },
};
