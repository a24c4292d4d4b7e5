import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError, parse } from 'graphql';
import { readGatewaysBenchmark } from '../../../bench/gatewaysBenchmark/dataSet.js';

/** The public gateway benchmark's four subgraphs (graphql-hive/graphql-gateways-benchmark), rebuilt small for in-process tests, with faults a test can switch on. */

interface BenchmarkData {
  readonly users: readonly { id: string; name: string; username: string; birthday: number }[];
  readonly products: readonly { upc: string; name: string; price: number; weight: number }[];
  readonly inventory: readonly { upc: string; inStock: boolean }[];
  readonly reviews: readonly { id: string; body: string; productUpc: string }[];
}

/** Read when the subgraphs are built: the data lives beside the repository (../shared/bench), where CI has it. */
let data: BenchmarkData;

/**
 * Ways the subgraphs can misbehave, switched on by a test. Some fields are
 * nullable, or of another type, in these subgraphs where the supergraph says
 * otherwise, so a fault reaches the gateway as a value it must reject.
 */
export interface BenchmarkFaults {
  /** Review.id answers null (ID! in the supergraph). */
  nullReviewIds: boolean;
  /** The first product's upc answers null (String! in the supergraph). */
  nullFirstUpc: boolean;
  /** Product.inStock fails with an error carrying a code. */
  inStockFails: boolean;
  /** User.birthday answers a string (Int in the supergraph). */
  textBirthdays: boolean;
}

export const faults: BenchmarkFaults = { nullReviewIds: false, nullFirstUpc: false, inStockFails: false, textBirthdays: false };

const FEDERATION =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@requires", "@provides"])';

type Resolvers = GraphQLResolverMap<Record<string, never>>;
type Review = BenchmarkData['reviews'][number];

const userById = (id: unknown) => data.users.find((user) => user.id === id) ?? null;
const productByUpc = (upc: unknown) => data.products.find((product) => product.upc === upc) ?? null;
const reviewFields = {
  id: (review: Review) => (faults.nullReviewIds ? null : review.id),
  product: (review: Review) => ({ upc: review.productUpc }),
  author: () => ({ id: '1', username: 'urigo' }),
};

const definitions: { name: string; sdl: string; resolvers: Resolvers }[] = [
  {
    name: 'accounts',
    sdl: `${FEDERATION}
      type Query { me: User user(id: ID!): User users: [User] }
      type User @key(fields: "id") { id: ID! name: String username: String @shareable birthday: String }`,
    resolvers: {
      Query: { me: () => data.users[0], user: (_: unknown, { id }: { id: string }) => userById(id), users: () => data.users },
      User: {
        __resolveReference: ({ id }: { id: string }) => userById(id),
        birthday: (user: { birthday: number }) => (faults.textBirthdays ? 'a long time ago' : String(user.birthday)),
      },
    },
  },
  {
    name: 'products',
    sdl: `${FEDERATION}
      type Query { topProducts(first: Int = 5): [Product] }
      type Product @key(fields: "upc") { upc: String name: String price: Int weight: Int }`,
    resolvers: {
      Query: { topProducts: (_: unknown, { first }: { first: number }) => data.products.slice(0, first) },
      Product: {
        __resolveReference: ({ upc }: { upc: string }) => productByUpc(upc),
        upc: (product: { upc: string }) => (faults.nullFirstUpc && product.upc === '1' ? null : product.upc),
      },
    },
  },
  {
    name: 'inventory',
    sdl: `${FEDERATION}
      type Product @key(fields: "upc") { upc: String! weight: Int @external price: Int @external inStock: Boolean shippingEstimate: Int @requires(fields: "price weight") }`,
    resolvers: {
      Product: {
        __resolveReference: (reference: { upc: string }) => reference,
        inStock: ({ upc }: { upc: string }) => {
          if (faults.inStockFails) throw new GraphQLError(`stock of ${upc} is unknown`, { extensions: { code: 'STOCK_UNKNOWN' } });
          return data.inventory.find((item) => item.upc === upc)?.inStock ?? null;
        },
        // Free above 1000, else half the weight: it shows the @requires fields arrived.
        shippingEstimate: ({ price, weight }: { price: number; weight: number }) => (price > 1000 ? 0 : weight / 2),
      },
    },
  },
  {
    name: 'reviews',
    sdl: `${FEDERATION}
      type Review @key(fields: "id") { id: ID body: String product: Product author: User @provides(fields: "username") }
      type User @key(fields: "id") { id: ID! username: String @external reviews: [Review] }
      type Product @key(fields: "upc") { upc: String! reviews: [Review] }`,
    resolvers: {
      Review: { __resolveReference: ({ id }: { id: string }) => data.reviews.find((review) => review.id === id) ?? null, ...reviewFields },
      User: { __resolveReference: (reference: { id: string }) => reference, reviews: () => data.reviews.slice(0, 2) },
      Product: {
        __resolveReference: (reference: { upc: string }) => reference,
        reviews: ({ upc }: { upc: string }) => data.reviews.filter((review) => review.productUpc === upc),
      },
    },
  },
];

/** Each benchmark subgraph's server by name; none is started. */
export function createBenchmarkSubgraphs(): Map<string, ApolloServer> {
  data = readGatewaysBenchmark();
  return new Map(
    definitions.map(({ name, sdl, resolvers }) => [
      name,
      new ApolloServer({ schema: buildSubgraphSchema([{ typeDefs: parse(sdl), resolvers }]), plugins: [ApolloServerPluginInlineTraceDisabled()] }),
    ]),
  );
}
