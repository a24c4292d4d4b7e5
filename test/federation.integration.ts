import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jwt from 'jsonwebtoken';
import { DEVELOPMENT_JWT_SECRET } from '../gateway/src/config.js';
import { postGraphQL, readCounter, type GraphQLResponse } from './support/http.js';
import { startInProcessSystem, type InProcessSystem } from './support/inProcessSystem.js';
import { createScratchDatabase, type ScratchDatabase } from './support/postgres.js';

const modes = [
  { mode: 'embedded databases', postgres: false },
  { mode: 'PostgreSQL', postgres: true },
] as const;

interface ProductPage {
  totalCount: number;
  nodes: { upc: string; category: string }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const SUBGRAPHS = ['accounts', 'products', 'inventory', 'reviews', 'orders'];

/** A development token, as `npm run token` prints. */
function bearer(sub: string, scope = ''): Record<string, string> {
  return { authorization: `Bearer ${jwt.sign({ scope }, DEVELOPMENT_JWT_SECRET, { algorithm: 'HS256', subject: sub, expiresIn: 300 })}` };
}

describe.each(modes)('the shop through the gateway on $mode', ({ postgres }) => {
  let system: InProcessSystem;
  let database: ScratchDatabase | undefined;
  const output: string[] = [];
  const query = <T = Record<string, unknown>>(text: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) =>
    postGraphQL<T>(system.gatewayUrl, text, variables, headers);

  beforeAll(async () => {
    database = postgres ? await createScratchDatabase('supergate_e2e') : undefined;
    system = await startInProcessSystem({
      env: {
        NODE_ENV: 'test',
        // The admin listing below (60 users, every order, every line) is estimated at about 924,000: wider than the default limit allows.
        QUERY_MAX_COST: '1000000',
        RATE_LIMIT_COST_PER_WINDOW: '100000000',
        ...(database === undefined ? {} : { DATABASE_URL: database.url }),
      },
      log: (line) => output.push(line),
    });
  });

  afterAll(async () => {
    await system?.stop();
    await database?.drop();
  });

  it('answers one query that needs all five subgraphs', async () => {
    const response = await query(
      `{
      user(id: "u1") {
        username
        reviews { rating product { name inStock } }
        orders { total items { quantity product { upc name price } } }
      }
      product(upc: "1") { upc name price inStock quantity shippingEstimate averageRating reviews(first: 2) { rating author { username } } }
    }`,
      undefined,
      bearer('u1'),
    );
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    const data = response.body.data as {
      user: { username: string; reviews: { rating: number; product: { name: string; inStock: boolean } }[]; orders: unknown[] };
      product: { upc: string; name: string; reviews: { author: { username: string } }[]; averageRating: number; shippingEstimate: number };
    };
    expect(data.user.username).toEqual(expect.any(String));
    expect(data.user.reviews.length).toBeGreaterThan(0);
    expect(data.user.reviews[0]?.product.name).toEqual(expect.any(String));
    expect(data.product).toMatchObject({ upc: '1', name: expect.any(String), shippingEstimate: expect.any(Number), averageRating: expect.any(Number) });
    expect(data.product.reviews).toHaveLength(2);
    expect(data.product.reviews[0]?.author.username).toEqual(expect.any(String));
    const withOrders = await query<{ order: { buyer: { username: string }; items: { product: { name: string } }[] } | null }>(
      '{ users(first: 60) { nodes { id orders { id buyer { username } items { unitPrice product { name } } } } } }',
      undefined,
      bearer('u1', 'admin'),
    );
    expect(withOrders.body.errors).toBeUndefined();
    const users = (
      withOrders.body.data as unknown as { users: { nodes: { orders: { buyer: { username: string }; items: { product: { name: string } }[] }[] }[] } }
    ).users.nodes;
    const someOrder = users.flatMap((user) => user.orders)[0];
    expect(someOrder?.buyer.username).toEqual(expect.any(String));
    expect(someOrder?.items[0]?.product.name).toEqual(expect.any(String));
  });

  it('pages through a category with cursors, without gaps or repeats', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    let total = 0;
    for (;;) {
      const response: GraphQLResponse<{ products: ProductPage }> = await query<{ products: ProductPage }>(
        'query Page($after: String) { products(category: "kitchen", first: 40, after: $after) { totalCount nodes { upc category } pageInfo { hasNextPage endCursor } } }',
        { after },
      );
      expect(response.body.errors).toBeUndefined();
      const page: ProductPage = response.body.data!.products;
      total = page.totalCount;
      expect(page.nodes.every((node) => node.category === 'kitchen')).toBe(true);
      seen.push(...page.nodes.map((node) => node.upc));
      pages += 1;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toHaveLength(total);
    expect(pages).toBe(Math.ceil(total / 40));
    const users = await query<{ users: { totalCount: number; nodes: { id: string }[]; pageInfo: { hasNextPage: boolean } } }>(
      '{ users(first: 100) { totalCount nodes { id } pageInfo { hasNextPage } } }',
      undefined,
      bearer('u1', 'admin'),
    );
    expect(users.body.data!.users.nodes.length).toBe(users.body.data!.users.totalCount);
    expect(users.body.data!.users.totalCount).toBeGreaterThanOrEqual(50);
  });

  it.each([5, 50])('batches the product page for first: %i into at most two SQL statements per subgraph', async (first) => {
    const before = await sqlCounts(system);
    const response = await query<{ topProducts: unknown[] }>(
      `{ topProducts(first: ${first}) { name price inStock shippingEstimate reviews { rating author { username } } } }`,
    );
    const after = await sqlCounts(system);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!.topProducts).toHaveLength(first);
    for (const name of SUBGRAPHS) {
      const statements = after[name]! - before[name]!;
      expect({ name, statements, atMostTwo: statements <= 2 }).toEqual({ name, statements, atMostTwo: true });
    }
  });

  it('sells the last five units to exactly five of twenty concurrent buyers', async () => {
    const upc = await productWithStock(query, 10, ['1', '2', '3', '4']);
    const stockOf = async () => (await query<{ product: { quantity: number } }>(`{ product(upc: "${upc}") { quantity } }`)).body.data!.product.quantity;
    const initial = await stockOf();
    const drain = await placeOrder('u2', upc, initial - 5, `drain-${upc}`);
    expect(drain.body.errors).toBeUndefined();
    expect(await stockOf()).toBe(5);

    const attempts = await Promise.all(Array.from({ length: 20 }, (_, i) => placeOrder(`u${i + 3}`, upc, 1, `race-${upc}-${i}`)));
    const placed = attempts.filter((attempt) => attempt.body.errors === undefined);
    const refused = attempts.filter((attempt) => attempt.body.errors !== undefined);
    expect(placed).toHaveLength(5);
    expect(refused.map((attempt) => attempt.body.errors?.[0]?.extensions?.['code'])).toEqual(Array(15).fill('OUT_OF_STOCK'));
    expect(await stockOf()).toBe(0);
  });

  it("takes the buyer from the token, and another buyer's same idempotency key places that buyer's own order", async () => {
    const upc = await productWithStock(query, 2, ['1', '2', '3', '4']);
    const placed = await placeOrder('u7', upc, 1, 'mine-u7');
    expect(placed.body.errors).toBeUndefined();
    const mine = (placed.body.data as { placeOrder: { id: string; buyer: { id: string } } }).placeOrder;
    expect(mine.buyer.id).toBe('u7');
    const theirs = await placeOrder('u8', upc, 1, 'mine-u7');
    expect(theirs.body.errors).toBeUndefined();
    expect((theirs.body.data as { placeOrder: { id: string; buyer: { id: string } } }).placeOrder).toEqual(
      expect.objectContaining({ buyer: { id: 'u8' }, id: expect.not.stringMatching(mine.id) }),
    );
  });

  it('places one order per key when one buyer sends the same key with different items twice at once, and reserves only its items', async () => {
    const products = (await query<{ products: { nodes: { upc: string; quantity: number }[] } }>('{ products(first: 100) { nodes { upc quantity } } }')).body
      .data!.products.nodes;
    const [a, b] = products.filter((product) => product.quantity >= 20 && !['1', '2', '3', '4'].includes(product.upc)).slice(-2);
    if (a === undefined || b === undefined) throw new Error('no two products with 20 units in stock');
    const stockOf = async (upc: string) =>
      (await query<{ product: { quantity: number } }>(`{ product(upc: "${upc}") { quantity } }`)).body.data!.product.quantity;
    const before = { a: await stockOf(a.upc), b: await stockOf(b.upc) };
    const buyers = Array.from({ length: 10 }, (_, i) => `u${31 + i}`);
    const pairs = await Promise.all(
      buyers.map((buyer) =>
        Promise.all([placeOrderOf(buyer, [{ upc: a.upc, quantity: 1 }], `pair-${buyer}`), placeOrderOf(buyer, [{ upc: b.upc, quantity: 2 }], `pair-${buyer}`)]),
      ),
    );
    let takenA = 0;
    let takenB = 0;
    for (const [first, second] of pairs) {
      expect([first.status, second.status]).toEqual([200, 200]);
      const placed = [first, second].filter((answer) => answer.body.errors === undefined);
      const refused = [first, second].filter((answer) => answer.body.errors !== undefined);
      expect(placed).toHaveLength(1);
      expect(refused[0]?.body.errors?.[0]?.extensions?.['code']).toBe('IDEMPOTENCY_KEY_REUSED');
      const items = (placed[0]!.body.data as { placeOrder: { items: { quantity: number; product: { upc: string } }[] } }).placeOrder.items;
      // The answer holds exactly the items of the request that won the key.
      expect(items).toEqual(placed[0] === first ? [{ quantity: 1, product: { upc: a.upc } }] : [{ quantity: 2, product: { upc: b.upc } }]);
      if (placed[0] === first) takenA += 1;
      else takenB += 2;
    }
    expect({ a: await stockOf(a.upc), b: await stockOf(b.upc) }).toEqual({ a: before.a - takenA, b: before.b - takenB });
  });

  it('returns the same order for a retried idempotency key and reserves stock once', async () => {
    const upc = '2';
    const stockOf = async () => (await query<{ product: { quantity: number } }>(`{ product(upc: "${upc}") { quantity } }`)).body.data!.product.quantity;
    const initial = await stockOf();
    const first = await placeOrder('u5', upc, 1, 'retry-me');
    const again = await Promise.all([placeOrder('u5', upc, 1, 'retry-me'), placeOrder('u5', upc, 1, 'retry-me')]);
    expect(first.body.errors).toBeUndefined();
    const id = (first.body.data as { placeOrder: { id: string } }).placeOrder.id;
    for (const retry of again) expect((retry.body.data as { placeOrder: { id: string } }).placeOrder.id).toBe(id);
    expect(await stockOf()).toBe(initial - 1);
  });

  it('refuses an order that cannot be filled in full and reserves none of it', async () => {
    const stock = async (upc: string) =>
      (await query<{ product: { quantity: number } }>(`{ product(upc: "${upc}") { quantity } }`)).body.data!.product.quantity;
    const before = await stock('3');
    const response = await query(
      'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }',
      {
        input: {
          idempotencyKey: 'too-much',
          items: [
            { upc: '3', quantity: 1 },
            { upc: '4', quantity: (await stock('4')) + 1 },
          ],
        },
      },
      bearer('u1'),
    );
    expect(response.body.errors?.[0]?.extensions?.['code']).toBe('OUT_OF_STOCK');
    expect(await stock('3')).toBe(before);
  });

  it('answers invalid review input with BAD_USER_INPUT', async () => {
    const response = await query('mutation { addReview(upc: "1", body: "Great", rating: 9) { id } }', undefined, bearer('u1'));
    expect(response.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });

  it('rejects a query for an unknown field before calling any subgraph', async () => {
    const before = await requestCounts(system);
    const response = await query('{ product(upc: "1") { name secretField } }');
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(await requestCounts(system)).toEqual(before);
  });

  it('answers a malformed JSON body with 400 and BAD_REQUEST, and a huge one with 413', async () => {
    const malformed = await fetch(system.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": "{ product' });
    expect({ status: malformed.status, body: await malformed.json() }).toEqual({
      status: 400,
      body: { errors: [{ message: 'The request body is not valid JSON.', extensions: { code: 'BAD_REQUEST' } }] },
    });
    const huge = await fetch(system.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ product(upc: "${'9'.repeat(2_000_000)}") { name } }` }),
    });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses a bad bearer token with 401 before any subgraph is called, and accepts a good one', async () => {
    const sign = (options: jwt.SignOptions, secret = DEVELOPMENT_JWT_SECRET) =>
      jwt.sign({ scope: 'read' }, secret, { algorithm: 'HS256', subject: 'u1', ...options });
    const productQuery = '{ product(upc: "1") { name } }';
    const before = await requestCounts(system);
    const cases = [
      ['expired', `Bearer ${sign({ expiresIn: -60 })}`, 'The access token has expired.', 'invalid_token'],
      ['forged', `Bearer ${sign({ expiresIn: 60 }, 'someone-elses-secret-of-enough-length!!')}`, 'The access token is invalid.', 'invalid_token'],
      ['alg none', `Bearer ${jwt.sign({ sub: 'u1' }, '', { algorithm: 'none' })}`, 'The access token is invalid.', 'invalid_token'],
      ['not a bearer token', 'Basic dTE6cGFzc3dvcmQ=', 'The Authorization header must be "Bearer <token>".', 'invalid_request'],
    ] as const;
    for (const [, authorization, message, error] of cases) {
      const response = await postGraphQL(system.gatewayUrl, productQuery, undefined, { authorization });
      expect({ status: response.status, body: response.body, challenge: response.headers.get('www-authenticate') }).toEqual({
        status: 401,
        body: { errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] },
        challenge: `Bearer error="${error}", error_description="${message.replace(/"/g, "'")}"`,
      });
    }
    expect(await requestCounts(system)).toEqual(before);
    const accepted = await postGraphQL(system.gatewayUrl, productQuery, undefined, { authorization: `Bearer ${sign({ expiresIn: 60 })}` });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ data: { product: { name: expect.any(String) } } });
  });

  it('refuses a direct call to a subgraph that lacks the gateway token, even with a spoofed one', async () => {
    const products = system.services.get('products')!.url;
    const before = await requestCounts(system);
    for (const headers of [
      {},
      { 'supergate-gateway-token': jwt.sign({ sub: 'admin', scope: 'admin' }, 'guessed-secret', { audience: 'supergate-subgraphs', issuer: 'gateway' }) },
    ]) {
      const response = await postGraphQL(products, '{ product(upc: "1") { name price } }', undefined, headers);
      expect({ status: response.status, body: response.body }).toEqual({
        status: 401,
        body: { errors: [{ message: 'This service answers only requests signed by the gateway.', extensions: { code: 'UNAUTHENTICATED' } }] },
      });
    }
    expect(await requestCounts(system)).toEqual(before);
  });

  it("adds a review as the signed-in caller, and it shows among the product's reviews", async () => {
    const token = jwt.sign({}, DEVELOPMENT_JWT_SECRET, { algorithm: 'HS256', subject: 'u42', expiresIn: 60 });
    const added = await postGraphQL<{ addReview: { id: string; rating: number; author: { id: string; username: string } } }>(
      system.gatewayUrl,
      'mutation { addReview(upc: "7", body: "Sturdy and quiet.", rating: 5) { id rating author { id username } } }',
      undefined,
      { authorization: `Bearer ${token}` },
    );
    expect(added.body.errors).toBeUndefined();
    expect(added.body.data!.addReview).toMatchObject({ rating: 5, author: { id: 'u42', username: expect.any(String) } });
    const reviews = await query<{ product: { reviews: { id: string; body: string }[] } }>('{ product(upc: "7") { reviews(first: 1) { id body } } }');
    expect(reviews.body.data!.product.reviews).toEqual([{ id: added.body.data!.addReview.id, body: 'Sturdy and quiet.' }]);
    const me = await postGraphQL(system.gatewayUrl, '{ me { id reviews { body } } }', undefined, { authorization: `Bearer ${token}` });
    expect(me.body).toEqual({ data: { me: { id: 'u42', reviews: expect.arrayContaining([{ body: 'Sturdy and quiet.' }]) } } });
    expect((await query('{ me { id } }')).body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });

  it('removes fields the caller may not read, with an error at each path, and never asks a subgraph for them', async () => {
    const before = await requestCounts(system);
    const anonymous = await query('{ product(upc: "1") { name } me { id } users(first: 1) { totalCount } }');
    expect(anonymous.status).toBe(200);
    expect(withoutStacktraces(anonymous.body)).toEqual({
      data: { product: { name: expect.any(String) } },
      errors: [
        { message: 'You must be signed in to read Query.me.', path: ['me'], extensions: { code: 'UNAUTHENTICATED' } },
        { message: 'You must be signed in to read Query.users.', path: ['users'], extensions: { code: 'UNAUTHENTICATED' } },
      ],
    });
    const after = await requestCounts(system);
    expect(after['accounts']).toBe(before['accounts']);
    const signedIn = await query('{ users(first: 1) { totalCount } me { id } }', undefined, bearer('u3', 'read'));
    expect(withoutStacktraces(signedIn.body)).toEqual({
      data: { me: { id: 'u3' } },
      errors: [{ message: 'You do not have the scopes required to read Query.users.', path: ['users'], extensions: { code: 'FORBIDDEN' } }],
    });
    const mutation = await query('mutation { addReview(upc: "1", body: "Nice", rating: 4) { id } }');
    expect(withoutStacktraces(mutation.body)).toEqual({
      data: null,
      errors: [{ message: 'You must be signed in to read Mutation.addReview.', path: ['addReview'], extensions: { code: 'UNAUTHENTICATED' } }],
    });
  });

  it('keeps answering the rest of a query when a subgraph goes down', async () => {
    await system.stopSubgraph('reviews');
    // averageRating is nullable, so its failure leaves the rest of the product intact.
    const response = await query<{ product: { name: string; averageRating: number | null } | null }>('{ product(upc: "1") { name inStock averageRating } }');
    expect(response.status).toBe(200);
    expect(response.body.data?.product).toEqual({ name: expect.any(String), inStock: expect.any(Boolean), averageRating: null });
    expect(response.body.errors).toEqual([
      expect.objectContaining({
        message: 'The reviews service is unavailable.',
        extensions: expect.objectContaining({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'reviews' }),
      }),
    ]);
    const unaffected = await query('{ product(upc: "1") { name inStock } }');
    expect(unaffected.body).toEqual({ data: { product: { name: expect.any(String), inStock: expect.any(Boolean) } } });
  });

  function placeOrder(buyerId: string, upc: string, quantity: number, idempotencyKey: string) {
    return placeOrderOf(buyerId, [{ upc, quantity }], idempotencyKey);
  }

  function placeOrderOf(buyerId: string, items: { upc: string; quantity: number }[], idempotencyKey: string) {
    return query(
      'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id total status buyer { id } items { quantity product { upc } } } }',
      { input: { idempotencyKey, items } },
      bearer(buyerId),
    );
  }
});

/** The body as production would show it: development mode adds stack traces to errors. */
function withoutStacktraces(body: GraphQLResponse['body']): GraphQLResponse['body'] {
  if (body.errors === undefined) return body;
  return {
    ...body,
    errors: body.errors.map(({ extensions, ...error }) => ({
      ...error,
      extensions: Object.fromEntries(Object.entries(extensions ?? {}).filter(([key]) => key !== 'stacktrace')),
    })),
  };
}

/** A product with at least `minimum` units that no other test orders. */
async function productWithStock(
  query: (text: string) => Promise<GraphQLResponse<{ products: { nodes: { upc: string; quantity: number }[] } }>>,
  minimum: number,
  exclude: string[],
): Promise<string> {
  const response = await query('{ products(first: 100) { nodes { upc quantity } } }');
  const product = response.body.data!.products.nodes.find((node) => node.quantity >= minimum && !exclude.includes(node.upc));
  if (product === undefined) throw new Error(`no product with ${minimum} units in stock`);
  return product.upc;
}

async function sqlCounts(system: InProcessSystem): Promise<Record<string, number>> {
  return countersOf(system, 'subgraph_sql_statements_total');
}

async function requestCounts(system: InProcessSystem): Promise<Record<string, number>> {
  return countersOf(system, 'subgraph_graphql_requests_total');
}

async function countersOf(system: InProcessSystem, metric: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const name of SUBGRAPHS) counts[name] = await readCounter(system.services.get(name)!.url, metric);
  return counts;
}
