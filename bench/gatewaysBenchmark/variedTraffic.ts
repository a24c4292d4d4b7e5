import { seededRandom } from '../seededRandom.js';

/** The benchmark's shape, one user and a page of top products, chosen by variables. */
export const VARIED_QUERY = `fragment User on User { id username name }
fragment Review on Review { id body }
fragment Product on Product { inStock name price shippingEstimate upc weight }
query VariedQuery($id: ID!, $n: Int!) {
  user(id: $id) { ...User reviews { ...Review product { ...Product reviews { ...Review author { ...User } } } } }
  topProducts(first: $n) { ...Product reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } } }
}`;

export interface VariedVariables {
  readonly id: string;
  readonly n: number;
}

/** `count` variable sets over users 1..`users` and pages of 1..`maxFirst` products, the same for every seed. */
export function variedVariables(count: number, { users, maxFirst = 10, seed = 7 }: { users: number; maxFirst?: number; seed?: number }): VariedVariables[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => ({ id: String(1 + Math.floor(random() * users)), n: 1 + Math.floor(random() * maxFirst) }));
}
