import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayTokenVerifier } from '../lib/GatewayTokenVerifier.js';
import { doublingChain, expandedChainSelections } from './support/fragmentChains.js';
import { readCounter } from './support/http.js';
import { startInProcessSystem, type InProcessSystem } from './support/inProcessSystem.js';
import { startPrivateRedis, type PrivateRedis } from './support/redisServer.js';

const JWT_SECRET = 'edge-suite-secret-that-is-long-enough-for-hs256';
const SUBGRAPHS = ['accounts', 'products', 'inventory', 'reviews', 'orders'];
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaPublicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const rsaPrivatePem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

function token(sub: string, options: jwt.SignOptions & { scope?: string; scopes?: string[] } = {}): string {
  const { scope = '', scopes, ...signOptions } = options;
  return jwt.sign({ scope, ...(scopes === undefined ? {} : { scopes }) }, JWT_SECRET, { algorithm: 'HS256', subject: sub, expiresIn: 300, ...signOptions });
}

function bearer(value: string): Record<string, string> {
  return { authorization: `Bearer ${value}` };
}

interface RawResponse {
  status: number;
  headers: Headers;
  body: { data?: unknown; errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[] };
}

async function send(url: string, init: RequestInit & { path?: string } = {}): Promise<RawResponse> {
  const target = init.path === undefined ? url : new URL(init.path, url).toString();
  const response = await fetch(target, init);
  const text = await response.text();
  let body: RawResponse['body'] = {};
  try {
    body = JSON.parse(text) as RawResponse['body'];
  } catch {
    body = { errors: [{ message: text }] };
  }
  return { status: response.status, headers: response.headers, body };
}

const SSE = 'text/event-stream';
const MULTIPART = 'multipart/mixed;subscriptionSpec="1.0",application/json';
/** A request over a streaming transport: a refusal is plain JSON, an answer on SSE its first `next` event's data. */
async function postStream(url: string, accept: string, body: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept, ...headers }, body });
  const text = await response.text();
  const sseData = /^event: next\ndata: (.*)$/m.exec(text)?.[1];
  return { status: response.status, headers: response.headers, body: JSON.parse(sseData ?? text) as RawResponse['body'] };
}

const post = (url: string, payload: unknown, headers: Record<string, string> = {}): Promise<RawResponse> =>
  send(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(payload) });

/** A GET with the request target exactly as written: fetch would normalise `/graphql/../metrics` before sending it. */
function getRawPath(url: string, path: string): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path, method: 'GET', agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        let body: RawResponse['body'];
        try {
          body = JSON.parse(text) as RawResponse['body'];
        } catch {
          body = { errors: [{ message: text.slice(0, 200) }] };
        }
        resolve({ status: res.statusCode ?? 0, headers: new Headers(), body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** What a client that sends its request slowly receives before the gateway closes the connection. */
async function dribble(url: string, head: string, chunks: readonly string[], intervalMs: number): Promise<{ received: string; sentAll: boolean }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise((resolve) => socket.once('connect', resolve));
  let received = '';
  let closed = false;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => undefined);
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  void ended.then(() => (closed = true));
  socket.write(head);
  let sent = 0;
  for (const chunk of chunks) {
    if (closed) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    if (closed) break;
    socket.write(chunk);
    sent += 1;
  }
  await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  socket.destroy();
  return { received, sentAll: sent === chunks.length };
}

/** A JSON value nested `depth` arrays deep, as text: building it as an object would overflow JSON.stringify here. */
const nestedJson = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
/** The id of the nth seeded order (subgraphs/orders/migrations/seed.sql): md5('seed-<n>') as a uuid. */
const seededOrderId = (n: number): string =>
  createHash('md5')
    .update(`seed-${n}`)
    .digest('hex')
    .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');

describe('the edge: authentication, limits and hostile requests', () => {
  let system: InProcessSystem;
  let redis: PrivateRedis;
  let jwks: Server;
  const gateways: Record<'main' | 'replica' | 'production' | 'rsa' | 'jwks' | 'claims' | 'budget' | 'cost' | 'slowClients', string> = {} as never;
  const metricsUrls: Partial<Record<keyof typeof gateways, string | undefined>> = {};
  const output: string[] = [];

  const subgraphRequests = async (): Promise<number> => {
    let total = 0;
    for (const name of SUBGRAPHS) total += await readCounter(system.services.get(name)!.url, 'subgraph_graphql_requests_total');
    return total;
  };

  beforeAll(async () => {
    redis = await startPrivateRedis();
    jwks = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'known', alg: 'RS256', use: 'sig' }] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
    system = await startInProcessSystem({
      // Limits high enough that the hostile table never trips them; the limit tests use gateways of their own.
      // No identity keys given: the system makes up key pairs for the gateway and orders, as `npm start` does.
      env: { NODE_ENV: 'test', JWT_SECRET, REDIS_URL: redis.url, RATE_LIMIT_REQUESTS: '100000' },
      log: (line) => output.push(line),
    });
    gateways.main = system.gatewayUrl;
    const started = await Promise.all([
      system.addGateway(),
      // One process (production would run one per CPU), so it logs each Redis outage once like the others.
      system.addGateway({ NODE_ENV: 'production', GATEWAY_WORKERS: '1' }),
      system.addGateway({ JWT_SECRET: '', JWT_PUBLIC_KEY: rsaPublicPem }),
      system.addGateway({ JWT_SECRET: '', JWKS_URL: jwksUrl }),
      system.addGateway({ JWT_ISSUER: 'https://id.example', JWT_AUDIENCE: 'shop' }),
      system.addGateway({ RATE_LIMIT_REQUESTS: '5', REDIS_URL: '' }),
      system.addGateway({ QUERY_MAX_COST: '100', RATE_LIMIT_COST_PER_WINDOW: '150', REDIS_URL: '' }),
      // Deadlines short enough to watch a slow client being cut off.
      system.addGateway({ NODE_ENV: 'production', GATEWAY_WORKERS: '1', REQUEST_TIMEOUT_MS: '1500', HEADERS_TIMEOUT_MS: '1000', REDIS_URL: '' }),
    ]);
    [gateways.replica, gateways.production, gateways.rsa, gateways.jwks, gateways.claims, gateways.budget, gateways.cost, gateways.slowClients] = started.map(
      (service) => service.url,
    ) as [string, string, string, string, string, string, string, string];
    metricsUrls.main = system.services.get('gateway')?.metricsUrl;
    metricsUrls.production = started[1]?.metricsUrl;
  });

  afterAll(async () => {
    await system?.stop();
    await redis?.stop();
    await new Promise((resolve) => jwks?.close(resolve));
  });

  const product = '{ product(upc: "1") { name } }';
  const nested = (depth: number): string =>
    `{ product(upc: "1") { ${'reviews { product { '.repeat(Math.ceil(depth / 2))}name${' } }'.repeat(Math.ceil(depth / 2))} } }`;

  interface HostileCase {
    name: string;
    gateway?: keyof typeof gateways;
    request: (url: string) => Promise<RawResponse>;
    status: number;
    code: string;
    /** `extensions.limit` of a QUERY_TOO_COMPLEX refusal. */
    limit?: string;
    /** An execution error a subgraph raises (a bad cursor) reaches that subgraph by nature; its subgraph requests are not counted. */
    reachesSubgraph?: true;
  }

  /** An identity token signed with `privateKey` (PEM), claiming whatever a forger likes. */
  const identityToken = (privateKey: string, claims: object, issuer = 'gateway') =>
    jwt.sign(claims, privateKey, { algorithm: 'ES256', issuer, audience: 'supergate-subgraphs', expiresIn: 60 });
  const keys = () => {
    if (system.identityKeys === undefined) throw new Error('the system was started without made-up identity keys');
    return { gateway: system.identityKeys.gateway.privateKey, orders: system.identityKeys.services.get('orders')!.privateKey };
  };
  const direct = (service: string, query: string, token: string) => post(system.services.get(service)!.url, { query }, { 'supergate-gateway-token': token });
  const email = '{ user(id: "u2") { email } }';
  const aliases = (count: number, field: string) => Array.from({ length: count }, (_, i) => `a${i}: ${field}`).join(' ');
  /** Each limit, in development and production alike, refused before any subgraph is called. */
  const limitCases: Omit<HostileCase, 'status' | 'code' | 'gateway'>[] = [
    {
      name: 'a fragment doubling chain of 20 steps ending in 1,000 aliased __typename (17 KB)',
      request: (url) => post(url, { query: doublingChain(20, aliases(1000, '__typename')) }),
      limit: 'selections',
    },
    {
      name: 'a fragment doubling chain of 18 steps ending in one __typename',
      request: (url) => post(url, { query: doublingChain(18, '__typename') }),
      limit: 'selections',
    },
    {
      name: 'a doubling chain of Product fragments under a field',
      request: (url) => post(url, { query: doublingChain(16, 'name price', { on: 'Product', root: 'product(upc: "1") { ...F0 }' }) }),
      limit: 'selections',
    },
    {
      name: 'a doubling chain whose cost hides behind fragments under a list',
      request: (url) => post(url, { query: doublingChain(6, 'reviews { author { username } }', { on: 'Product', root: 'topProducts(first: 100) { ...F0 }' }) }),
      limit: 'cost',
    },
    {
      name: '30,000 aliased __typename under topProducts (529 KB)',
      request: (url) => post(url, { query: `{ topProducts(first: 10) { ${aliases(30_000, '__typename')} } }` }),
      limit: 'tokens',
    },
    {
      name: 'inline fragments nested 5,000 deep, too deep to parse',
      request: (url) => post(url, { query: `{ ${'... on Query { '.repeat(5000)}__typename${' }'.repeat(5000)} }` }),
      limit: 'depth',
    },
    {
      name: 'inline fragments nested 1,500 deep',
      request: (url) => post(url, { query: `{ ${'... on Query { '.repeat(1500)}__typename${' }'.repeat(1500)} }` }),
      limit: 'depth',
    },
    {
      name: 'a chain of 1,700 fragments each spreading the next',
      request: (url) =>
        post(url, {
          query: `{ ...F0 } ${Array.from({ length: 1700 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} }`).join(' ')} fragment F1700 on Query { __typename }`,
        }),
      limit: 'depth',
    },
    {
      name: '51 directives',
      request: (url) => post(url, { query: `{ product(upc: "1") { ${'name @include(if: true) '.repeat(51)} } }` }),
      limit: 'directives',
    },
    { name: '31 aliased __typename', request: (url) => post(url, { query: `{ ${aliases(31, '__typename')} }` }), limit: 'aliases' },
    {
      name: '25 root fields inside an inline fragment',
      request: (url) => post(url, { query: `{ ... on Query { ${aliases(25, 'topProducts(first: 1) { name }')} } }` }),
      limit: 'rootFields',
    },
    {
      name: 'a variable default that multiplies the cost, sent without variables',
      request: (url) => post(url, { query: 'query($n: Int = 100) { topProducts(first: $n) { reviews(first: $n) { author { reviews { body } } } } }' }),
      limit: 'cost',
    },
    {
      name: 'an author list with no size argument (User.reviews has @listSize)',
      request: (url) => post(url, { query: '{ topProducts(first: 100) { reviews { author { reviews { body } } } } }' }),
      limit: 'cost',
    },
  ];

  const cursor = (text: string): string => Buffer.from(text).toString('base64url');
  const productsAfter = (after: string): string => `{ products(first: 2, after: "${after}") { edges { cursor } } }`;
  /** Client mistakes that get the same stable answer from the development and the production gateway. */
  const inBothModes: HostileCase[] = [
    {
      name: 'a subscription over HTTP POST',
      request: (url) => post(url, { query: 'subscription { reviewAdded { id } }' }),
      status: 400,
      code: 'OPERATION_NOT_SUPPORTED',
    },
    {
      name: 'a NUL byte in a string argument',
      request: (url) => post(url, { query: '{ product(upc: "1\\u0000") { name } }' }),
      status: 400,
      code: 'BAD_USER_INPUT',
    },
    {
      name: 'a NUL byte in a string variable',
      request: (url) => post(url, { query: 'query ($upc: String!) { product(upc: $upc) { name } }', variables: { upc: '1\u0000' } }),
      status: 400,
      code: 'BAD_USER_INPUT',
    },
    {
      name: 'a NUL byte in the token sub',
      request: (url) => post(url, { query: '{ me { id } }' }, bearer(token('u1\u0000admin'))),
      status: 401,
      code: 'UNAUTHENTICATED',
    },
    {
      name: 'a scope with a space in it ("x admin")',
      request: (url) => post(url, { query: email }, bearer(token('u1', { scopes: ['x admin'] }))),
      status: 401,
      code: 'UNAUTHENTICATED',
    },
    {
      name: 'a control character in a scope',
      request: (url) => post(url, { query: email }, bearer(token('u1', { scopes: ['admin\u0000'] }))),
      status: 401,
      code: 'UNAUTHENTICATED',
    },
    {
      name: 'a control character in the scope string',
      request: (url) => post(url, { query: email }, bearer(token('u1', { scope: 'read\tadmin' }))),
      status: 401,
      code: 'UNAUTHENTICATED',
    },
    { name: 'a garbage cursor', request: (url) => post(url, { query: productsAfter('garbage') }), status: 200, code: 'BAD_USER_INPUT', reachesSubgraph: true },
    {
      name: 'an out-of-range cursor',
      request: (url) => post(url, { query: productsAfter(cursor(`pos:${'9'.repeat(400)}`)) }),
      status: 200,
      code: 'BAD_USER_INPUT',
      reachesSubgraph: true,
    },
    {
      name: 'a cursor past a database integer',
      request: (url) => post(url, { query: productsAfter(cursor('pos:99999999999')) }),
      status: 200,
      code: 'BAD_USER_INPUT',
      reachesSubgraph: true,
    },
    {
      name: 'variables nested 100,000 deep',
      request: (url) =>
        send(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: `{"query": ${JSON.stringify(product)}, "variables": {"v": ${nestedJson(100_000)}}}`,
        }),
      status: 400,
      code: 'BAD_USER_INPUT',
    },
    {
      name: 'an APQ hash that is not the query’s',
      request: (url) => post(url, { query: product, extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ topProducts { name } }') } } }),
      status: 400,
      code: 'PERSISTED_QUERY_HASH_MISMATCH',
    },
    {
      name: 'an APQ of an unknown version',
      request: (url) => post(url, { query: product, extensions: { persistedQuery: { version: 2, sha256Hash: sha256(product) } } }),
      status: 400,
      code: 'PERSISTED_QUERY_NOT_SUPPORTED',
    },
  ];
  /** Spellings of /metrics that must not reach it on the public port of a production gateway. */
  const metricsPathTricks = ['/metrics', '/%2e%2e/metrics', '/graphql/../metrics', '/graphql\\..\\metrics', '/METRICS', '/metrics/', '//metrics'];

  const hostile: HostileCase[] = [
    {
      name: 'malformed JSON',
      request: (url) => send(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": "{ product' }),
      status: 400,
      code: 'BAD_REQUEST',
    },
    {
      name: 'a JSON body that is not an object',
      request: (url) => send(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '42' }),
      status: 400,
      code: 'BAD_REQUEST',
    },
    {
      name: 'a wrong content type (CSRF-prone text/plain)',
      request: (url) => send(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: product }) }),
      status: 400,
      code: 'BAD_REQUEST',
    },
    { name: 'a GET without a CSRF-preventing header', request: (url) => send(`${url}?query=${encodeURIComponent(product)}`), status: 400, code: 'BAD_REQUEST' },
    {
      name: 'a mutation over GET',
      request: (url) =>
        send(`${url}?query=${encodeURIComponent('mutation { addReview(upc: "1", body: "x", rating: 5) { id } }')}`, {
          headers: { 'apollo-require-preflight': 'true' },
        }),
      status: 405,
      code: 'BAD_REQUEST',
    },
    { name: 'a missing query', request: (url) => post(url, { variables: {} }), status: 400, code: 'BAD_REQUEST' },
    { name: 'a query that is not a string', request: (url) => post(url, { query: { product: 1 } }), status: 400, code: 'BAD_REQUEST' },
    { name: 'a batch of operations', request: (url) => post(url, [{ query: product }, { query: product }]), status: 400, code: 'BAD_REQUEST' },
    { name: 'a syntax error', request: (url) => post(url, { query: '{ product(upc: "1") { name }' }), status: 400, code: 'GRAPHQL_PARSE_FAILED' },
    {
      name: 'an unknown field',
      request: (url) => post(url, { query: '{ product(upc: "1") { name secretCost } }' }),
      status: 400,
      code: 'GRAPHQL_VALIDATION_FAILED',
    },
    {
      name: 'a variable of the wrong type',
      request: (url) => post(url, { query: 'query ($upc: String!) { product(upc: $upc) { name } }', variables: { upc: { $ne: null } } }),
      status: 400,
      code: 'BAD_USER_INPUT',
    },
    {
      name: 'an unknown operation name',
      request: (url) => post(url, { query: product, operationName: 'Nope' }),
      status: 400,
      code: 'OPERATION_RESOLUTION_FAILURE',
    },
    {
      name: 'a fragment cycle',
      request: (url) => post(url, { query: '{ product(upc: "1") { ...A } } fragment A on Product { reviews { product { ...A } } }' }),
      status: 400,
      code: 'GRAPHQL_VALIDATION_FAILED',
    },
    {
      name: 'a body over MAX_BODY_BYTES',
      request: (url) => post(url, { query: product, variables: { padding: 'x'.repeat(2 * 1024 * 1024) } }),
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    },
    { name: 'an unknown path', request: (url) => send(new URL('/admin', url).toString()), status: 404, code: 'NOT_FOUND' },
    {
      name: 'an expired token',
      request: (url) => post(url, { query: product }, bearer(token('u1', { expiresIn: -120 }))),
      status: 401,
      code: 'UNAUTHENTICATED',
    },
    {
      name: 'a token that is not valid yet',
      request: (url) => post(url, { query: product }, bearer(token('u1', { notBefore: 600 }))),
      status: 401,
      code: 'UNAUTHENTICATED',
    },
    {
      name: 'a bad signature',
      request: (url) => post(url, { query: product }, bearer(jwt.sign({ sub: 'u1' }, 'another-secret-that-is-long-enough-to-sign', { algorithm: 'HS256' }))),
      status: 401,
      code: 'UNAUTHENTICATED',
    },
    {
      name: 'alg: none',
      request: (url) => post(url, { query: product }, bearer(jwt.sign({ sub: 'u1', scope: 'admin' }, '', { algorithm: 'none' }))),
      status: 401,
      code: 'UNAUTHENTICATED',
    },
    {
      name: 'a tampered payload',
      request: (url) => {
        const [header = '', , signature = ''] = token('u1').split('.');
        const payload = Buffer.from(JSON.stringify({ sub: 'u1', scope: 'admin', exp: 9999999999 })).toString('base64url');
        return post(url, { query: product }, bearer(`${header}.${payload}.${signature}`));
      },
      status: 401,
      code: 'UNAUTHENTICATED',
    },
    { name: 'garbage in the bearer token', request: (url) => post(url, { query: product }, bearer('not.a.jwt')), status: 401, code: 'UNAUTHENTICATED' },
    {
      name: 'a Basic authorization header',
      request: (url) => post(url, { query: product }, { authorization: 'Basic dTE6cGFzc3dvcmQ=' }),
      status: 401,
      code: 'UNAUTHENTICATED',
    },
    {
      name: 'HS256 signed with the RSA public key (algorithm confusion)',
      gateway: 'rsa',
      request: (url) => post(url, { query: product }, bearer(jwt.sign({ sub: 'u1', scope: 'admin' }, rsaPublicPem, { algorithm: 'HS256' }))),
      status: 401,
      code: 'UNAUTHENTICATED',
    },
    {
      name: 'an RS256 token for a gateway that only knows a shared secret',
      request: (url) => post(url, { query: product }, bearer(jwt.sign({ sub: 'u1' }, rsaPrivatePem, { algorithm: 'RS256' }))),
      status: 401,
      code: 'UNAUTHENTICATED',
    },
    {
      name: 'an unknown kid',
      gateway: 'jwks',
      request: (url) => post(url, { query: product }, bearer(jwt.sign({ sub: 'u1' }, rsaPrivatePem, { algorithm: 'RS256', keyid: 'unknown' }))),
      status: 401,
      code: 'UNAUTHENTICATED',
    },
    {
      name: 'a wrong issuer',
      gateway: 'claims',
      request: (url) => post(url, { query: product }, bearer(token('u1', { issuer: 'https://evil.example', audience: 'shop' }))),
      status: 401,
      code: 'UNAUTHENTICATED',
    },
    {
      name: 'a wrong audience',
      gateway: 'claims',
      request: (url) => post(url, { query: product }, bearer(token('u1', { issuer: 'https://id.example', audience: 'another-app' }))),
      status: 401,
      code: 'UNAUTHENTICATED',
    },
    { name: 'depth 50', request: (url) => post(url, { query: nested(50) }), status: 400, code: 'QUERY_TOO_COMPLEX', limit: 'depth' },
    {
      name: '1,000 aliases',
      request: (url) => post(url, { query: `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: product(upc: "1") { name }`).join(' ')} }` }),
      status: 400,
      code: 'QUERY_TOO_COMPLEX',
      limit: 'aliases',
    },
    {
      name: '25 root fields',
      request: (url) => post(url, { query: `{ ${'topProducts(first: 1) { name } '.repeat(25)} }` }),
      status: 400,
      code: 'QUERY_TOO_COMPLEX',
      limit: 'rootFields',
    },
    {
      name: 'a cost bomb of nested lists',
      request: (url) => post(url, { query: '{ topProducts(first: 100) { reviews { author { reviews { product { reviews { author { username } } } } } } } }' }),
      status: 400,
      code: 'QUERY_TOO_COMPLEX',
      limit: 'cost',
    },
    ...limitCases.flatMap((testCase) =>
      (['main', 'production'] as const).map((gateway): HostileCase => ({
        ...testCase,
        name: `${testCase.name} (${gateway})`,
        gateway,
        status: 400,
        code: 'QUERY_TOO_COMPLEX',
      })),
    ),
    {
      name: 'introspection in production',
      gateway: 'production',
      request: (url) => post(url, { query: '{ __schema { types { name } } }' }),
      status: 400,
      code: 'GRAPHQL_VALIDATION_FAILED',
    },
    // Even signed with the gateway's own key, a client's copy is dropped and the caller stays anonymous.
    {
      name: 'a client-sent gateway token',
      request: (url) =>
        post(
          url,
          { query: 'mutation { addReview(upc: "1", body: "spoofed", rating: 5) { id } }' },
          { 'supergate-gateway-token': identityToken(keys().gateway, { sub: 'u1', scopes: ['admin'] }) },
        ),
      status: 200,
      code: 'UNAUTHENTICATED',
    },
    {
      name: 'a token without exp in production',
      gateway: 'production',
      request: (url) => post(url, { query: product }, bearer(jwt.sign({ scope: '' }, JWT_SECRET, { algorithm: 'HS256', subject: 'u1' }))),
      status: 401,
      code: 'UNAUTHENTICATED',
    },
    {
      name: "an admin identity minted with orders' key, sent straight to accounts",
      request: () => direct('accounts', email, identityToken(keys().orders, { sub: 'u1', scopes: ['admin'] })),
      status: 401,
      code: 'UNAUTHENTICATED',
    },
    {
      name: 'an admin identity orders signs as itself, sent straight to accounts',
      request: () => direct('accounts', email, identityToken(keys().orders, { sub: 'u1', scopes: ['admin'] }, 'orders')),
      status: 401,
      code: 'UNAUTHENTICATED',
    },
    {
      name: 'an anonymous mutation that needs a signed-in caller',
      request: (url) => post(url, { query: 'mutation { placeOrder(input: { items: [{ upc: "1", quantity: 1 }], idempotencyKey: "anon" }) { id } }' }),
      status: 200,
      code: 'UNAUTHENTICATED',
    },
    {
      name: 'an anonymous cancelOrder',
      request: (url) => post(url, { query: `mutation { cancelOrder(id: "${seededOrderId(4)}") { id } }` }),
      status: 200,
      code: 'UNAUTHENTICATED',
    },
    // Seeded order 4 is u29's and PLACED: u2 may not cancel it, and it stays placed for the tests that follow.
    {
      name: "cancelling another buyer's order",
      request: (url) => post(url, { query: `mutation { cancelOrder(id: "${seededOrderId(4)}") { id } }` }, bearer(token('u2'))),
      status: 200,
      code: 'FORBIDDEN',
      reachesSubgraph: true,
    },
    {
      name: 'an admin-only field without the admin scope',
      request: (url) => post(url, { query: '{ users(first: 5) { totalCount } }' }, bearer(token('u2'))),
      status: 200,
      code: 'FORBIDDEN',
    },
    // Subscriptions over SSE and multipart: every check runs before anything is subscribed.
    ...[
      ['SSE', SSE],
      ['multipart', MULTIPART],
    ].flatMap(([transport = '', accept = '']) => [
      {
        name: `a subscription over ${transport} with a forged token`,
        request: (url: string) => postStream(url, accept, JSON.stringify({ query: 'subscription { reviewAdded { id } }' }), bearer('not.a.token')),
        status: 401,
        code: 'UNAUTHENTICATED',
      },
      {
        name: `a subscription over ${transport} as a fragment doubling chain of 20 steps`,
        request: (url: string) =>
          postStream(
            url,
            accept,
            JSON.stringify({ query: doublingChain(20, 'id', { on: 'Review', root: 'reviewAdded { ...F0 }' }).replace(/^query Chain/, 'subscription Chain') }),
          ),
        status: 400,
        code: 'QUERY_TOO_COMPLEX',
        limit: 'selections',
      },
      {
        name: `a subscription over ${transport} nested 14 deep`,
        request: (url: string) =>
          postStream(url, accept, JSON.stringify({ query: `subscription { reviewAdded { ${'product { reviews { '.repeat(7)}id${' } }'.repeat(7)} } }` })),
        status: 400,
        code: 'QUERY_TOO_COMPLEX',
        limit: 'depth',
      },
      {
        name: `a subscription over ${transport} whose body is not JSON`,
        request: (url: string) => postStream(url, accept, '{"query": "subscription { reviewAdded { id } }"'),
        status: 400,
        code: 'BAD_REQUEST',
      },
      {
        name: `a subscription over ${transport} with a body over MAX_BODY_BYTES`,
        request: (url: string) => postStream(url, accept, JSON.stringify({ query: `subscription { reviewAdded { id } } # ${'x'.repeat(1100 * 1024)}` })),
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
      },
      {
        name: `a subscription over ${transport} naming an operation it does not hold`,
        request: (url: string) => postStream(url, accept, JSON.stringify({ query: 'subscription A { reviewAdded { id } }', operationName: 'B' })),
        status: 400,
        code: 'OPERATION_RESOLUTION_FAILURE',
      },
      {
        name: `an anonymous orderStatusChanged over ${transport}`,
        request: (url: string) => postStream(url, accept, JSON.stringify({ query: 'subscription { orderStatusChanged(orderId: "1") { id } }' })),
        status: 200,
        code: 'UNAUTHENTICATED',
      },
    ]),
    ...inBothModes.flatMap((testCase) => [
      { ...testCase, name: `${testCase.name} (development)`, gateway: 'main' as const },
      { ...testCase, name: `${testCase.name} (production)`, gateway: 'production' as const },
    ]),
    ...metricsPathTricks.map((path) => ({
      name: `GET ${path} on the production GraphQL port`,
      gateway: 'production' as const,
      request: (url: string) => getRawPath(url, path),
      status: 404,
      code: 'NOT_FOUND',
    })),
  ];

  it(`answers ${hostile.length} hostile or malformed requests with a clear status and code, calling no subgraph`, async () => {
    expect(hostile.length).toBeGreaterThanOrEqual(30);
    const outcomes: string[] = [];
    for (const testCase of hostile) {
      const before = await subgraphRequests();
      const response = await testCase.request(gateways[testCase.gateway ?? 'main']);
      const after = await subgraphRequests();
      const extensions = response.body.errors?.[0]?.extensions;
      const limit = typeof extensions?.['limit'] === 'string' || typeof extensions?.['limit'] === 'number' ? ` ${extensions['limit']}` : '';
      outcomes.push(
        `${testCase.name}: ${response.status} ${String(extensions?.['code'])}${limit}${after === before || testCase.reachesSubgraph ? '' : `, ${after - before} subgraph request(s)`}`,
      );
    }
    expect(outcomes).toEqual(
      hostile.map((testCase) => `${testCase.name}: ${testCase.status} ${testCase.code}${testCase.limit === undefined ? '' : ` ${testCase.limit}`}`),
    );
  });

  it("closes or refuses hostile WebSocket clients with the protocol's codes, subscribing nothing", async () => {
    const wsUrl = gateways.main.replace('http', 'ws');
    /** Sends `messages` once the socket opens, and `afterAck` once the connection is acknowledged; what came back: the first message's type and code, or the close code. */
    const exchange = (messages: (string | Buffer)[], options: { origin?: string; path?: string; afterAck?: string[] } = {}): Promise<string> =>
      new Promise((resolve) => {
        const socket = new WebSocket(options.path === undefined ? wsUrl : new URL(options.path, wsUrl).toString(), 'graphql-transport-ws', {
          headers: options.origin === undefined ? {} : { origin: options.origin },
        });
        socket.on('unexpected-response', (_req, res) => resolve(`HTTP ${res.statusCode ?? 0}`));
        socket.on('open', () => {
          for (const message of messages) socket.send(message);
        });
        socket.on('message', (data: Buffer) => {
          const message = JSON.parse(data.toString()) as { type: string; payload?: { extensions?: { code?: string; limit?: string } }[] };
          if (message.type === 'connection_ack') {
            for (const next of options.afterAck ?? []) socket.send(next);
            return;
          }
          const error = message.payload?.[0]?.extensions;
          resolve(`${message.type} ${String(error?.code)}${error?.limit === undefined ? '' : ` ${error.limit}`}`);
          socket.close();
        });
        socket.on('close', (code) => resolve(`close ${code}`));
      });
    const init = (payload: unknown = {}) => JSON.stringify({ type: 'connection_init', payload });
    const subscribe = (query: string) => JSON.stringify({ id: '1', type: 'subscribe', payload: { query } });
    const cases: [string, Promise<string>, string][] = [
      ['a forged token in connection_init', exchange([init({ authorization: 'Bearer not.a.token' })]), 'close 4403'],
      ['a token that is not a string', exchange([init({ Authorization: 42 })]), 'close 4403'],
      ['subscribe before connection_init', exchange([subscribe('subscription { reviewAdded { id } }')]), 'close 4401'],
      ['a message that is not JSON', exchange(['{"type": "connection_init"']), 'close 4400'],
      ['a message over MAX_BODY_BYTES', exchange([Buffer.alloc(1100 * 1024, 'x')]), 'close 1009'],
      ['two connection_init messages', exchange([init(), init()]), 'close 4429'],
      ['an upgrade from a page of another origin', exchange([init()], { origin: 'https://evil.example' }), 'HTTP 403'],
      ['an upgrade on another path', exchange([init()], { path: '/metrics' }), 'HTTP 404'],
      [
        'a subscription nested 14 deep',
        exchange([init()], { afterAck: [subscribe(`subscription { reviewAdded { ${'product { reviews { '.repeat(7)}id${' } }'.repeat(7)} } }`)] }),
        'error QUERY_TOO_COMPLEX depth',
      ],
      [
        'a subscription as a fragment doubling chain of 20 steps',
        exchange([init()], {
          afterAck: [subscribe(doublingChain(20, 'id', { on: 'Review', root: 'reviewAdded { ...F0 }' }).replace(/^query Chain/, 'subscription Chain'))],
        }),
        'error QUERY_TOO_COMPLEX selections',
      ],
      [
        'an anonymous orderStatusChanged',
        exchange([init()], { afterAck: [subscribe('subscription { orderStatusChanged(orderId: "1") { id } }')] }),
        'error UNAUTHENTICATED',
      ],
      ['a field the schema lacks', exchange([init()], { afterAck: [subscribe('subscription { nothingHere }')] }), 'error GRAPHQL_VALIDATION_FAILED'],
    ];
    const before = await readCounter(gateways.main, 'gateway_subscriptions_active');
    const outcomes = await Promise.all(cases.map(async ([name, outcome]) => `${name}: ${await outcome}`));
    expect(outcomes).toEqual(cases.map(([name, , expected]) => `${name}: ${expected}`));
    expect(await readCounter(gateways.main, 'gateway_subscriptions_active')).toBe(before);
  });

  it('answers other clients while it refuses a fragment doubling chain, which it measures without expanding', async () => {
    const steps = 20;
    const [chain, small] = await Promise.all([
      post(gateways.main, { query: doublingChain(steps, aliases(1000, '__typename')) }),
      post(gateways.main, { query: '{ __typename }' }),
    ]);
    expect(small).toMatchObject({ status: 200, body: { data: { __typename: 'Query' } } });
    expect(chain.status).toBe(400);
    expect(chain.body.errors?.[0]).toMatchObject({
      message: `The operation's selection count (with every fragment expanded) is ${1 + expandedChainSelections(steps, 1000)}; the limit is 10000.`,
      extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'selections', max: 10000 },
    });
  });

  it('reports a denied field in a fragment spread 256 times once, at its first use, and answers the rest', async () => {
    const response = await post(gateways.main, { query: doublingChain(8, 'username orders { id }', { on: 'User', root: 'user(id: "u1") { ...F0 }' }) });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ user: { username: expect.any(String) } });
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors?.[0]).toMatchObject({
      message: 'You must be signed in to read User.orders.',
      path: ['user', 'orders'],
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });

  it('spends field rate limits only for the operation that runs', async () => {
    const flood = `mutation Flood { ${Array.from({ length: 6 }, (_, i) => `r${i}: addReview(upc: "1", body: "never sent", rating: 1) { id }`).join(' ')} }`;
    const lookup = await post(gateways.main, { query: `query Lookup { product(upc: "1") { name } } ${flood}`, operationName: 'Lookup' }, bearer(token('u12')));
    expect(lookup.status).toBe(200);
    expect(lookup.body.errors).toBeUndefined();
    const refused = await post(gateways.main, { query: `query Lookup { product(upc: "1") { name } } ${flood}`, operationName: 'Flood' }, bearer(token('u12')));
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', rule: 'Mutation.addReview' });
  });

  it('inventory reserves stock for the orders service only, never for a gateway-vouched user, admin or not', async () => {
    const reserve = (token: string) =>
      direct('inventory', 'mutation { reserveStock(reservationId: "edge-only-orders", items: [{ upc: "1", quantity: 1 }]) { created } }', token);
    for (const claims of [{ sub: 'u1' }, { sub: 'u1', scopes: ['admin'] }, {}]) {
      const refused = await reserve(identityToken(keys().gateway, claims));
      expect({ status: refused.status, data: refused.body.data, code: refused.body.errors?.[0]?.extensions?.['code'] }).toEqual({
        status: 200,
        data: null,
        code: 'FORBIDDEN',
      });
    }
    // Nothing was reserved by the refused calls: the first call as orders creates the reservation.
    const accepted = await reserve(identityToken(keys().orders, {}, 'orders'));
    expect(accepted.body).toEqual({ data: { reserveStock: { created: true } } });
  });

  it("publishes the gateway's public key at /.well-known/jwks.json, and a subgraph holding only that URL verifies the gateway with it", async () => {
    const jwksUrl = new URL('/.well-known/jwks.json', gateways.production).toString();
    const published = (await send(jwksUrl)).body as unknown as { keys: Record<string, unknown>[] };
    expect(published.keys).toEqual([
      { kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String), kid: expect.any(String), alg: 'ES256', use: 'sig' },
    ]);
    expect((await send(new URL('/.well-known/jwks.json', gateways.main).toString())).body).toEqual(published);
    const verifier = new GatewayTokenVerifier({
      gatewayPublicKey: undefined,
      gatewayJwksUrl: jwksUrl,
      serviceKeys: new Map(),
      sharedSecret: undefined,
      jwksCacheMaxAgeMs: 600_000,
    });
    expect(await verifier.verify(identityToken(keys().gateway, { sub: 'u1', scopes: ['admin'] }))).toEqual({ sub: 'u1', scopes: ['admin'], issuer: 'gateway' });
    expect(await verifier.verify(identityToken(keys().orders, { sub: 'u1', scopes: ['admin'] }))).toBeNull();
  });

  it('never shows internals to clients in production', async () => {
    const response = await post(gateways.production, { query: '{ product(upc: "1") { name secretCost } }' });
    expect(response.body.errors?.[0]).toMatchObject({ message: expect.stringContaining('secretCost'), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(response.body.errors?.[0]?.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
    const bad = await post(gateways.production, { query: product }, bearer('not.a.jwt'));
    expect(JSON.stringify(bad.body)).not.toMatch(/stacktrace|node_modules/);
    expect(bad.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  });

  it('production keeps the documented extensions of QUERY_TOO_COMPLEX and RATE_LIMITED, and suggests no field names', async () => {
    const tooCostly = await post(gateways.production, {
      query: '{ topProducts(first: 100) { reviews { author { reviews { product { reviews { author { username } } } } } } } }',
    });
    expect(tooCostly.body.errors?.[0]?.extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', limit: 'cost', max: 50000 });
    const typo = await post(gateways.production, { query: '{ produc(upc: "1") { name } }' });
    expect(typo.body.errors?.[0]?.message).toBe('Cannot query field "produc" on type "Query".');
    const development = await post(gateways.main, { query: '{ produc(upc: "1") { name } }' });
    expect(development.body.errors?.[0]?.message).toMatch(/Did you mean "product"/);
  });

  it('serves /metrics on the metrics port, and on the GraphQL port only in development', async () => {
    expect(metricsUrls.production).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(new URL(metricsUrls.production ?? '').port).not.toBe(new URL(gateways.production).port);
    const scraped = await fetch(metricsUrls.production ?? '');
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('gateway_requests_total');
    // The metrics port serves nothing else.
    expect((await getRawPath(metricsUrls.production ?? '', '/graphql')).status).toBe(404);
    expect((await getRawPath(metricsUrls.production ?? '', '/metrics/../health')).status).toBe(404);
    expect((await fetch(new URL('/metrics', gateways.main))).status).toBe(200);
    expect((await fetch(metricsUrls.main ?? '')).status).toBe(200);
    expect((await getRawPath(gateways.production, '/metrics')).status).toBe(404);
  });

  it('cuts off a client that sends its body one byte at a time at REQUEST_TIMEOUT_MS, answering 408', async () => {
    const body = JSON.stringify({ query: product });
    const head = `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    // Sent in full, the body would take 200 ms × 34 bytes ≈ 7 s; the deadline is 1.5 s.
    const { received, sentAll } = await dribble(gateways.slowClients, head, body.split(''), 200);
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(sentAll).toBe(false);
  });

  it('cuts off a client that sends its headers slowly at HEADERS_TIMEOUT_MS, answering 408', async () => {
    const headers = [
      'X-Slow-1: 1\r\n',
      'X-Slow-2: 2\r\n',
      'X-Slow-3: 3\r\n',
      'X-Slow-4: 4\r\n',
      'X-Slow-5: 5\r\n',
      'X-Slow-6: 6\r\n',
      'X-Slow-7: 7\r\n',
      'X-Slow-8: 8\r\n',
      '\r\n',
    ];
    const { received, sentAll } = await dribble(gateways.slowClients, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n', headers, 400);
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(sentAll).toBe(false);
    // A prompt client of the same gateway is unaffected.
    expect((await send(gateways.slowClients, { path: '/health' })).status).toBe(200);
  });

  it('shows a reused idempotency key as IDEMPOTENCY_KEY_REUSED in production, unmasked', async () => {
    const placeOrder = (upc: string) =>
      post(
        gateways.production,
        {
          query: 'mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }',
          variables: { input: { idempotencyKey: 'edge-reused', items: [{ upc, quantity: 1 }] } },
        },
        bearer(token('u13')),
      );
    expect((await placeOrder('5')).body.errors).toBeUndefined();
    const reused = await placeOrder('6');
    expect(reused.status).toBe(200);
    expect(reused.body.errors).toEqual([
      {
        message: 'This idempotencyKey was already used for an order with other items; use a new key for a new order.',
        path: ['placeOrder'],
        extensions: { code: 'IDEMPOTENCY_KEY_REUSED', argumentName: 'input.idempotencyKey', serviceName: 'orders' },
      },
    ]);
  });

  it('shows Apollo Sandbox with sign-in instructions in development, and a plain answer in production', async () => {
    const page = await fetch(gateways.main, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('embeddable-sandbox');
    expect(html).toContain('npm run -s token -- --sub u1');
    const production = await send(gateways.production, { headers: { accept: 'text/html' } });
    expect(production.status).toBe(400);
    expect(production.body.errors?.[0]).toEqual({ message: expect.stringContaining('send operations as POST requests'), extensions: { code: 'BAD_REQUEST' } });
  });

  it("refuses a caller's 6th addReview within a minute whichever replica gets it, before calling reviews", async () => {
    const caller = bearer(token('u3'));
    const addReview = (url: string, n: number) =>
      post(url, { query: `mutation { addReview(upc: "${n + 1}", body: "Review ${n} from the rate-limit test", rating: 4) { id } }` }, caller);
    const answers = [];
    for (let n = 0; n < 5; n += 1) answers.push(await addReview(n % 2 === 0 ? gateways.main : gateways.replica, n));
    expect(answers.map((answer) => [answer.status, answer.body.errors?.[0]?.extensions?.['code'] ?? 'ok'])).toEqual(Array(5).fill([200, 'ok']));
    const reviewsBefore = await readCounter(system.services.get('reviews')!.url, 'subgraph_graphql_requests_total');
    for (const url of [gateways.replica, gateways.main]) {
      const refused = await addReview(url, 9);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(refused.body.errors?.[0]).toMatchObject({ message: expect.stringContaining('Mutation.addReview'), extensions: { code: 'RATE_LIMITED' } });
    }
    expect(await readCounter(system.services.get('reviews')!.url, 'subgraph_graphql_requests_total')).toBe(reviewsBefore);
  });

  it('limits requests per caller: the 6th of a budget of 5 gets 429 with Retry-After, and other callers are unaffected', async () => {
    const mine = bearer(token('u7'));
    const statuses = [];
    for (let n = 0; n < 5; n += 1) statuses.push((await post(gateways.budget, { query: product }, mine)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const before = await subgraphRequests();
    const refused = await post(gateways.budget, { query: product }, mine);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.body.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED' });
    expect(await subgraphRequests()).toBe(before);
    expect((await post(gateways.budget, { query: product }, bearer(token('u8')))).status).toBe(200);
  });

  it('spends each operation’s estimated cost from the caller’s budget, so one big query costs as much as many small ones', async () => {
    const caller = bearer(token('u9'));
    // Costs 91 (the list, plus two fields for each of 45 products): under QUERY_MAX_COST=100, but two exceed the budget of 150.
    const big = '{ topProducts(first: 45) { name price } }';
    const first = await post(gateways.cost, { query: big }, caller);
    expect(first.status).toBe(200);
    const second = await post(gateways.cost, { query: big }, caller);
    expect(second.status).toBe(429);
    expect(second.body.errors?.[0]).toMatchObject({ extensions: { code: 'RATE_LIMITED', rule: 'cost' } });
    expect((await post(gateways.cost, { query: '{ product(upc: "1") { name } }' }, bearer(token('u10')))).status).toBe(200);
  });

  it('answers CORS preflights for allowed origins only', async () => {
    const preflight = (origin: string) =>
      send(gateways.main, {
        method: 'OPTIONS',
        // Accept too: Sandbox and Apollo Client set it for multipart subscriptions, to a value browsers ask about first.
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization, accept' },
      });
    const sandbox = await preflight('https://studio.apollographql.com');
    expect(sandbox.status).toBe(204);
    expect(sandbox.headers.get('access-control-allow-origin')).toBe('https://studio.apollographql.com');
    expect(sandbox.headers.get('access-control-allow-headers')?.split(',')).toEqual(expect.arrayContaining(['authorization', 'accept']));
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    expect((await preflight('https://studio.apollographql.com')).headers.get('access-control-allow-origin')).not.toBeNull();
    const production = await send(gateways.production, {
      method: 'OPTIONS',
      headers: { origin: 'https://studio.apollographql.com', 'access-control-request-method': 'POST' },
    });
    expect(production.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('keeps serving and limiting when Redis stops mid-run, and goes back to Redis when it returns', async () => {
    const caller = 'u4';
    const onRedis = 6; // main, replica, production, rsa, jwks and claims share the private Redis
    const logged = (text: string) => output.filter((line) => /^\[gateway(-\d+)?\] /.test(line) && line.includes(text)).length;
    const addReview = (n: number) =>
      post(
        gateways.main,
        { query: `mutation { addReview(upc: "${200 + n}", body: "Written while Redis was away ${randomUUID()}", rating: 3) { id } }` },
        bearer(token(caller)),
      );
    await redis.stop();
    const duringOutage = await post(gateways.main, { query: product });
    expect(duringOutage.status).toBe(200);
    expect(duringOutage.body.errors).toBeUndefined();
    const statuses = [];
    for (let n = 0; n < 6; n += 1) statuses.push((await addReview(n)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    // Each gateway says so once, however many commands failed during the outage.
    await expect.poll(() => logged('Redis is unavailable'), { timeout: 10_000, interval: 200 }).toBe(onRedis);

    await redis.start();
    await expect.poll(() => logged('Redis is reachable again'), { timeout: 15_000, interval: 200 }).toBe(onRedis);
    expect(logged('Redis is unavailable')).toBe(onRedis);
    const { createClient } = await import('@keyv/redis');
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      const fresh = 'u5';
      expect((await post(gateways.main, { query: product }, bearer(token(fresh)))).status).toBe(200);
      expect(await client.exists(`supergate:requests:user:${fresh}`)).toBe(1);
    } finally {
      await client.close();
    }
  });
});
