import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import DataLoader from 'dataloader';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { developmentGatewaySecret, GATEWAY_ISSUER, GATEWAY_TOKEN_HEADER, GatewayTokenSigner, type VouchedIdentity } from '../../lib/gatewayToken.js';
import type { Database } from './database.js';
import type { EventPublisher } from './eventBus.js';
import { createSubgraphServer } from './server.js';
import { startSubgraph, type RunningSubgraph, type SubgraphDefinition } from './startSubgraph.js';
import { activeSubscriptions, connectSubscriber, eventually as until, subscribeWith } from './testing.js';

interface CounterContext {
  readonly db: Database;
  readonly events: EventPublisher;
  readonly viewer: string | null;
  /** Per request, or per event: a cached value would show the first event's count in every later one. */
  readonly counts: DataLoader<string, number>;
}

const signer = new GatewayTokenSigner(developmentGatewaySecret(), GATEWAY_ISSUER);
const modes = [
  { bus: 'in process', env: {} },
  // Pub/sub channels ignore the database number; the one here keeps any other key of this suite apart.
  { bus: 'Redis', env: { REDIS_URL: 'redis://127.0.0.1:6379/11' } },
];

/** A subgraph of named counters: a mutation bumps one, and a subscription reports it after each bump. */
function counterSubgraph(folder: string): SubgraphDefinition<CounterContext> {
  const dir = join(folder, 'counters');
  mkdirSync(join(dir, 'migrations'), { recursive: true });
  writeFileSync(
    join(dir, 'schema.graphql'),
    `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
     type Counter @key(fields: "name") { name: String! value: Int! bumpedBy: String }
     type Query { counter(name: String!): Counter }
     type Mutation { bump(name: String!): Counter! burst(name: String!, events: Int!): Boolean! }
     type Subscription { counterBumped(name: String!): Counter! }`,
  );
  writeFileSync(
    join(dir, 'migrations', '001_counters.sql'),
    "CREATE TABLE counters (name text PRIMARY KEY, value int NOT NULL); INSERT INTO counters VALUES ('a', 0);",
  );
  const load = (db: Database) =>
    new DataLoader<string, number>(async (names) => {
      const { rows } = await db.query<{ name: string; value: number }>('SELECT name, value FROM counters WHERE name = ANY($1::text[])', [names]);
      return names.map((name) => rows.find((row) => row.name === name)?.value ?? 0);
    });
  return {
    name: 'counters',
    defaultPort: 0,
    migrationsDir: join(dir, 'migrations'),
    createService: (db, config, kit) => ({
      server: createSubgraphServer<CounterContext>({
        name: 'counters',
        schemaUrl: pathToFileURL(join(dir, 'schema.graphql')),
        resolvers: {
          Query: {
            counter: (_: unknown, args: { name: string }) => ({ name: args.name }),
          },
          Mutation: {
            async burst(_: unknown, args: { name: string; events: number }, ctx: CounterContext) {
              // All in one go, as a busy bus delivers them while the subscriber is still busy with the first.
              await Promise.all(Array.from({ length: args.events }, () => ctx.events.publish(`bumped.${args.name}`, { name: args.name })));
              return true;
            },
            async bump(_: unknown, args: { name: string }, ctx: CounterContext) {
              await ctx.db.query('UPDATE counters SET value = value + 1 WHERE name = $1', [args.name]);
              await ctx.events.publish(`bumped.${args.name}`, { name: args.name });
              return { name: args.name };
            },
          },
          Subscription: {
            counterBumped: {
              subscribe: (_: unknown, args: { name: string }) => kit.events.subscribe([`bumped.${args.name}`], 3),
              resolve: (event: { name: string }) => event,
            },
          },
          Counter: {
            value: (counter: { name: string }, _: unknown, ctx: CounterContext) => ctx.counts.load(counter.name),
            bumpedBy: (_: unknown, __: unknown, ctx: CounterContext) => ctx.viewer,
          },
        },
        production: config.production,
      }),
      createContext: (identity: VouchedIdentity) => ({ db, events: kit.events, viewer: identity.sub, counts: load(db) }),
    }),
  };
}

async function post(url: string, query: string, variables: Record<string, unknown> = {}): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [GATEWAY_TOKEN_HEADER]: await signer.sign(null) },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}

async function bump(url: string, name: string): Promise<void> {
  expect(await post(url, 'mutation ($name: String!) { bump(name: $name) { name } }', { name })).toEqual({ data: { bump: { name } } });
}

const COUNTER = 'subscription { counterBumped(name: "a") { name value bumpedBy } }';

describe.each(modes)('subscriptions on a subgraph, events $bus', ({ env: busEnv }) => {
  const env = { NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0', ...busEnv };
  const folder = mkdtempSync(join(tmpdir(), 'supergate-subscriptions-'));
  let subgraph: RunningSubgraph;
  const clients: Client[] = [];

  const connect = (connectionParams: Record<string, unknown> | undefined): { client: Client; closed: Promise<number> } => {
    const connected = connectSubscriber(subgraph.url, connectionParams);
    clients.push(connected.client);
    return connected;
  };
  const subscribe = (client: Client, query: string, extensions: Record<string, unknown>) => subscribeWith(client, { query, extensions });
  const gatewayParams = async () => ({ [GATEWAY_TOKEN_HEADER]: await signer.sign(null) });

  beforeAll(async () => {
    subgraph = await startSubgraph(counterSubgraph(folder), { env });
  }, 60_000);

  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await subgraph?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('closes a connection without the gateway’s token, or with a forged one, with 4403', async () => {
    expect(await connect(undefined).closed).toBe(4403);
    expect(await connect({ [GATEWAY_TOKEN_HEADER]: 'forged' }).closed).toBe(4403);
    const otherSecret = new GatewayTokenSigner({ kind: 'secret', secret: new TextEncoder().encode('x'.repeat(40)) }, GATEWAY_ISSUER);
    expect(await connect({ [GATEWAY_TOKEN_HEADER]: await otherSecret.sign(null) }).closed).toBe(4403);
  });

  it('refuses a subscription without the caller’s identity with UNAUTHENTICATED', async () => {
    const { client } = connect(await gatewayParams());
    for (const extensions of [{}, { [GATEWAY_TOKEN_HEADER]: 'forged' }]) {
      const seen = subscribe(client, COUNTER, extensions);
      expect(await seen.ended).toEqual({
        error: [{ message: 'A subscription needs the caller identity the gateway signs, in extensions.', extensions: { code: 'UNAUTHENTICATED' } }],
      });
    }
  });

  it('refuses queries and mutations over WebSocket with OPERATION_NOT_SUPPORTED', async () => {
    const { client } = connect(await gatewayParams());
    const seen = subscribe(client, '{ counter(name: "a") { value } }', { [GATEWAY_TOKEN_HEADER]: await signer.sign('u1') });
    expect(await seen.ended).toEqual({
      error: [
        { message: 'Only subscriptions are served over WebSocket; send queries and mutations over HTTP.', extensions: { code: 'OPERATION_NOT_SUPPORTED' } },
      ],
    });
  });

  it('delivers each event with data read fresh for it, as the caller who subscribed', async () => {
    const { client } = connect(await gatewayParams());
    const active = await activeSubscriptions(subgraph.metricsUrl);
    const seen = subscribe(client, COUNTER, { [GATEWAY_TOKEN_HEADER]: await signer.sign('u7') });
    await until('the subscription to listen', async () => (await activeSubscriptions(subgraph.metricsUrl)) === active + 1);
    const before = await counterValue(subgraph.url);
    await bump(subgraph.url, 'a');
    await until('the first event', () => seen.results.length === 1);
    await bump(subgraph.url, 'a');
    await until('the second event', () => seen.results.length === 2);
    expect(seen.results).toEqual([
      { data: { counterBumped: { name: 'a', value: before + 1, bumpedBy: 'u7' } } },
      { data: { counterBumped: { name: 'a', value: before + 2, bumpedBy: 'u7' } } },
    ]);
    await client.dispose();
    await until('the subscription to end with its connection', async () => (await activeSubscriptions(subgraph.metricsUrl)) === active);
  });

  it('ends a subscriber that falls behind its buffer with SUBSCRIPTION_BUFFER_OVERFLOW', async () => {
    const { client } = connect(await gatewayParams());
    const before = await activeSubscriptions(subgraph.metricsUrl);
    const seen = subscribe(client, COUNTER, { [GATEWAY_TOKEN_HEADER]: await signer.sign('u7') });
    await until('the subscription to listen', async () => (await activeSubscriptions(subgraph.metricsUrl)) === before + 1);
    // Fifty events at once, while the subscriber still reads the first one's value: its buffer of 3 overflows.
    await post(subgraph.url, 'mutation { burst(name: "a", events: 50) }');
    expect(await seen.ended).toEqual({ completed: true });
    expect(seen.results.at(-1)).toEqual({
      errors: [
        {
          message: 'This subscription fell too far behind its events and was ended; subscribe again and re-read the current state.',
          extensions: { code: 'SUBSCRIPTION_BUFFER_OVERFLOW' },
        },
      ],
    });
    // The first event and the overflow, nothing after it; the buffer went with the subscription.
    expect(seen.results.length).toBeLessThanOrEqual(1 + 3 + 1);
    await until('the subscription to end', async () => (await activeSubscriptions(subgraph.metricsUrl)) === before);
  });

  it('closes its subscribers’ connections with 1001 when it stops', async () => {
    const { client, closed } = connect(await gatewayParams());
    const seen = subscribe(client, COUNTER, { [GATEWAY_TOKEN_HEADER]: await signer.sign('u7') });
    await until('the subscription to listen', async () => (await activeSubscriptions(subgraph.metricsUrl)) >= 1);
    await subgraph.stop();
    expect(await closed).toBe(1001);
    expect(await seen.ended).toMatchObject({ error: expect.anything() });
  });
});

async function counterValue(url: string): Promise<number> {
  const body = (await post(url, '{ counter(name: "a") { value } }')) as { data: { counter: { value: number } } };
  return body.data.counter.value;
}
