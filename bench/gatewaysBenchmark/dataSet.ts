import { readFileSync } from 'node:fs';

/** The public graphql-gateways-benchmark's query, data, resolver behaviour and supergraph. */
export const GATEWAYS_BENCHMARK_PATH = new URL('../../../shared/bench/gateways-benchmark.json', import.meta.url);

export interface User {
  readonly id: string;
  readonly name: string;
  readonly username: string;
  readonly birthday: number;
}

export interface Product {
  readonly upc: string;
  readonly name: string;
  readonly price: number;
  readonly weight: number;
}

export interface Stock {
  readonly upc: string;
  readonly inStock: boolean;
}

export interface Review {
  readonly id: string;
  readonly body: string;
  readonly productUpc: string;
  /** The user who wrote it; the benchmark's data has none (every review's author is user 1). */
  readonly authorId?: string;
}

/** What the four benchmark subgraphs serve. */
export interface DataSet {
  readonly users: readonly User[];
  readonly products: readonly Product[];
  readonly inventory: readonly Stock[];
  readonly reviews: readonly Review[];
  /**
   * `benchmark`: the original's resolvers, answers included that look odd (every review's
   * author is user 1 with the first two reviews; `shippingEstimate` is always null because
   * the inventory service reads price and weight from its own list, which has none).
   * `recorded`: each review's own author, a user's own reviews, and a shipping estimate
   * from the price and weight the gateway provides.
   */
  readonly behaviour: 'benchmark' | 'recorded';
}

/** The benchmark file as stored. */
export interface GatewaysBenchmark {
  readonly source: string;
  readonly query: string;
  readonly supergraph: string;
  readonly users: readonly User[];
  readonly products: readonly Product[];
  readonly inventory: readonly Stock[];
  readonly reviews: readonly Review[];
}

let loaded: GatewaysBenchmark | undefined;

/** Reads the benchmark file once. */
export function readGatewaysBenchmark(): GatewaysBenchmark {
  loaded ??= JSON.parse(readFileSync(GATEWAYS_BENCHMARK_PATH, 'utf8')) as GatewaysBenchmark;
  return loaded;
}

/** The benchmark's own data, served with its own resolver behaviour. */
export function benchmarkDataSet(): DataSet {
  const { users, products, inventory, reviews } = readGatewaysBenchmark();
  return { users, products, inventory, reviews, behaviour: 'benchmark' };
}
