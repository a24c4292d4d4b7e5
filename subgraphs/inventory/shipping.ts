/** Orders at or above this price (in cents) ship free. */
export const FREE_SHIPPING_FROM = 100_000;
const BASE_CENTS = 499;
const GRAMS_PER_CENT = 2;

/**
 * Shipping cost in cents for one unit: free from `FREE_SHIPPING_FROM`,
 * otherwise 499 plus one cent for every started 2 grams.
 */
export function shippingEstimate(price: number, weight: number): number {
  if (price >= FREE_SHIPPING_FROM) return 0;
  return BASE_CENTS + Math.ceil(weight / GRAMS_PER_CENT);
}
