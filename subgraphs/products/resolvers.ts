import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { loadOrNull } from '../kit/batch.js';
import { decodeCursor, encodeCursor, pageSize } from '../kit/cursor.js';
import type { ProductsContext } from './context.js';
import { categories, countProducts, productPage, topProducts, type ProductRow } from './db.js';

interface ProductsArgs {
  category?: string | null;
  first?: number | null;
  after?: string | null;
}

interface ProductConnection {
  rows: ProductRow[];
  hasNextPage: boolean;
  category: string | null;
}

export const resolvers: GraphQLResolverMap<ProductsContext> = {
  Query: {
    product: (_: unknown, args: { upc: string }, ctx: ProductsContext) => loadOrNull(ctx.loaders.productByUpc, args.upc),
    topProducts: (_: unknown, args: { first?: number | null }, ctx: ProductsContext) => topProducts(ctx.db, pageSize(args.first, 5)),
    async products(_: unknown, args: ProductsArgs, ctx: ProductsContext): Promise<ProductConnection> {
      const limit = pageSize(args.first, 20);
      const category = args.category ?? null;
      const rows = await productPage(ctx.db, category, decodeCursor(args.after), limit);
      return { rows: rows.slice(0, limit), hasNextPage: rows.length > limit, category };
    },
    categories: (_: unknown, __: unknown, ctx: ProductsContext) => categories(ctx.db),
  },
  Product: {
    __resolveReference: (ref: { upc: string }, ctx: ProductsContext) => loadOrNull(ctx.loaders.productByUpc, ref.upc),
  },
  ProductConnection: {
    edges: (page: ProductConnection) => page.rows.map((row) => ({ cursor: encodeCursor(row.position), node: row })),
    nodes: (page: ProductConnection) => page.rows,
    pageInfo: (page: ProductConnection) => {
      const last = page.rows.at(-1);
      return { hasNextPage: page.hasNextPage, endCursor: last === undefined ? null : encodeCursor(last.position) };
    },
    totalCount: (page: ProductConnection, _: unknown, ctx: ProductsContext) => countProducts(ctx.db, page.category),
  },
};
