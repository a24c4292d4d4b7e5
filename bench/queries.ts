/** One GraphQL operation the bench sends, unchanged, to every target. */
export interface BenchQuery {
  readonly name: string;
  readonly query: string;
}

export const QUERIES: readonly BenchQuery[] = [
  {
    // Reaches products, inventory, reviews and accounts; orders adds no Product fields and
    // answers User.orders only to its owner, which the anonymous stock baseline is not.
    name: 'five-subgraph',
    query: '{ topProducts(first: 5) { upc name price inStock shippingEstimate reviews { rating author { username } } } }',
  },
  { name: 'small', query: '{ product(upc: "1") { name price } }' },
];

/** The exact request body, so the bench and the bare server agree byte for byte. */
export function requestBody(query: BenchQuery): string {
  return JSON.stringify({ query: query.query });
}
