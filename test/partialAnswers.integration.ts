import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL } from './support/http.js';
import { startInProcessSystem, type InProcessSystem } from './support/inProcessSystem.js';

const JWT_SECRET = 'partial-answers-suite-secret-long-enough-for-hs256';
const GATEWAY_SECRET = 'partial-answers-suite-gateway-secret-long-enough';

/** The README's first query: one field or more from every subgraph but orders. */
const SHOP_QUERY = '{ topProducts(first: 3) { name price inStock shippingEstimate averageRating reviews(first: 2) { rating author { username } } } }';

interface ShopProduct {
  name: string;
  price: number;
  inStock: boolean | null;
  shippingEstimate: number | null;
  averageRating: number | null;
  reviews: { rating: number; author: { username: string } | null }[] | null;
}

interface FieldError {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

/** Errors in a stable order, for comparing whole lists. */
const byPath = (errors: readonly FieldError[] | undefined): FieldError[] =>
  [...(errors ?? [])].sort((a, b) => JSON.stringify(a.path).localeCompare(JSON.stringify(b.path)));

const unavailable = (service: string, path: (string | number)[]): FieldError => ({
  message: `The ${service} service is unavailable.`,
  path,
  extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: service },
});

describe('partial answers: a subgraph that is down blanks only its own fields', () => {
  let system: InProcessSystem;
  let healthy: ShopProduct[];
  const output: string[] = [];

  beforeAll(async () => {
    // Production masks everything but client-safe errors, which is what shoppers get.
    system = await startInProcessSystem({
      env: { NODE_ENV: 'production', JWT_SECRET, GATEWAY_SECRET, GATEWAY_WORKERS: '1', RESPONSE_CACHE: 'off', RATE_LIMIT_REQUESTS: '100000' },
      log: (line) => output.push(line),
    });
    const answer = await postGraphQL<{ topProducts: ShopProduct[] }>(system.gatewayUrl, SHOP_QUERY);
    expect(answer.body.errors).toBeUndefined();
    healthy = answer.body.data!.topProducts;
    expect(healthy.flatMap((product) => product.reviews ?? []).length).toBeGreaterThan(0);
  });

  afterAll(async () => {
    await system?.stop();
  });

  it.each([
    ['reviews', 'every other field answers and each review field has its own error', ['averageRating', 'reviews']],
    ['inventory', 'the catalog and its reviews answer without stock or shipping', ['inStock', 'shippingEstimate']],
  ] as const)('with %s down, %s', async (service, _what, blanks) => {
    await system.stopSubgraph(service);
    try {
      const response = await postGraphQL<{ topProducts: ShopProduct[] }>(system.gatewayUrl, SHOP_QUERY);
      expect(response.status).toBe(200);
      expect(response.body.data).toEqual({
        topProducts: healthy.map((product) => ({ ...product, ...Object.fromEntries(blanks.map((field) => [field, null])) })),
      });
      expect(byPath(response.body.errors)).toEqual(
        byPath(healthy.flatMap((_product, index) => blanks.map((field) => unavailable(service, ['topProducts', index, field])))),
      );
    } finally {
      await system.startSubgraph(service);
    }
  });

  it('with accounts down, reviews still show, each without its author', async () => {
    await system.stopSubgraph('accounts');
    try {
      const response = await postGraphQL<{ topProducts: ShopProduct[] }>(system.gatewayUrl, SHOP_QUERY);
      expect(response.body.data).toEqual({
        topProducts: healthy.map((product) => ({ ...product, reviews: product.reviews?.map((review) => ({ ...review, author: null })) ?? null })),
      });
      const reviewPaths = healthy.flatMap((product, index) =>
        (product.reviews ?? []).map((_review, n) => ['topProducts', index, 'reviews', n, 'author', 'username']),
      );
      expect(byPath(response.body.errors)).toEqual(byPath(reviewPaths.map((path) => unavailable('accounts', path))));
    } finally {
      await system.startSubgraph('accounts');
    }
  });
});
