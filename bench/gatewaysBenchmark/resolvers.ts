import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { DataSet, Review, Stock } from './dataSet.js';

/** The four subgraphs of the public benchmark, by the names its supergraph gives them. */
export const SUBGRAPH_NAMES = ['accounts', 'inventory', 'products', 'reviews'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

/** What the reviews subgraph hands on for a User: the gateway asks accounts for the rest. */
interface ReviewsUser {
  readonly id: string;
  readonly username: string;
  readonly reviews: readonly Review[];
}

/** An inventory Product: its stock row plus the price and weight it estimates shipping from. */
interface InventoryProduct extends Stock {
  readonly price?: number | null | undefined;
  readonly weight?: number | null | undefined;
}

/** Resolvers for each subgraph, answering from `data` as the benchmark's services do. */
export function createResolvers(data: DataSet): Record<SubgraphName, GraphQLResolverMap<unknown>> {
  const usersById = new Map(data.users.map((user) => [user.id, user]));
  const productsByUpc = new Map(data.products.map((product) => [product.upc, product]));
  const stockByUpc = new Map(data.inventory.map((stock) => [stock.upc, stock]));
  const reviewsById = new Map(data.reviews.map((review) => [review.id, review]));
  const reviewsByProduct = groupBy(data.reviews, (review) => review.productUpc);
  const reviewsByAuthor = groupBy(data.reviews, (review) => review.authorId);
  const firstTwoReviews = data.reviews.slice(0, 2);

  const benchmark = data.behaviour === 'benchmark';
  // The original's Review.author is always user 1 as "urigo" and its entity User always "user", each with the first two reviews.
  const authorOf = (review: Review): ReviewsUser | null => {
    if (benchmark) return { id: '1', username: 'urigo', reviews: firstTwoReviews };
    const author = review.authorId === undefined ? undefined : usersById.get(review.authorId);
    return author === undefined ? null : { id: author.id, username: author.username, reviews: reviewsByAuthor.get(author.id) ?? [] };
  };
  const reviewsUser = (id: string): ReviewsUser => {
    if (benchmark) return { id, username: 'user', reviews: firstTwoReviews };
    return { id, username: usersById.get(id)?.username ?? '', reviews: reviewsByAuthor.get(id) ?? [] };
  };

  return {
    accounts: {
      Query: {
        me: () => data.users[0] ?? null,
        user: (_: unknown, { id }: { id: string }) => usersById.get(id) ?? null,
        users: () => data.users,
      },
      User: {
        __resolveReference: ({ id }: { id: string }) => usersById.get(id) ?? null,
      },
    },
    products: {
      Query: {
        topProducts: (_: unknown, { first }: { first: number }) => data.products.slice(0, Math.max(0, first)),
      },
      Product: {
        __resolveReference: ({ upc }: { upc: string }) => productsByUpc.get(upc) ?? null,
      },
    },
    inventory: {
      Product: {
        __resolveReference: (reference: { upc: string; price?: number | null; weight?: number | null }): InventoryProduct | null => {
          const stock = stockByUpc.get(reference.upc);
          if (stock === undefined) return null;
          // The original looks the product up in its own list, which holds no price or weight.
          return benchmark ? stock : { ...stock, price: reference.price, weight: reference.weight };
        },
        shippingEstimate: ({ price, weight }: InventoryProduct) => {
          if (price === undefined || price === null) return null;
          if (price > 1000) return 0;
          return weight === undefined || weight === null ? null : Math.trunc(weight / 2);
        },
      },
    },
    reviews: {
      Review: {
        __resolveReference: ({ id }: { id: string }) => reviewsById.get(id) ?? null,
        product: (review: Review) => ({ upc: review.productUpc }),
        author: authorOf,
      },
      User: {
        __resolveReference: ({ id }: { id: string }) => reviewsUser(id),
        reviews: (user: ReviewsUser) => user.reviews,
      },
      Product: {
        __resolveReference: ({ upc }: { upc: string }) => ({ upc }),
        reviews: ({ upc }: { upc: string }) => reviewsByProduct.get(upc) ?? [],
      },
    },
  };
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === undefined) continue;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  return groups;
}
