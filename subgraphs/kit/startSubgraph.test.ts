import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { developmentGatewaySecret, GATEWAY_ISSUER, GATEWAY_TOKEN_HEADER, GatewayTokenSigner } from '../../lib/gatewayToken.js';
import type { Database } from './database.js';
import { createSubgraphServer } from './server.js';
import { startSubgraph, type RunningSubgraph, type SubgraphDefinition } from './startSubgraph.js';

interface GreetingContext {
  db: Database;
}

const signer = new GatewayTokenSigner(developmentGatewaySecret(), GATEWAY_ISSUER);

/** A subgraph of one field read from its own table, written to `folder`. */
function greetingSubgraph(folder: string, name: string): SubgraphDefinition<GreetingContext> {
  const dir = join(folder, name);
  mkdirSync(join(dir, 'migrations'), { recursive: true });
  writeFileSync(
    join(dir, 'schema.graphql'),
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])\ntype Query { greeting: String! }\n',
  );
  writeFileSync(
    join(dir, 'migrations', '001_greetings.sql'),
    "CREATE TABLE greetings (text text NOT NULL); INSERT INTO greetings VALUES ('hello from " + name + "');",
  );
  return {
    name,
    defaultPort: 0,
    migrationsDir: join(dir, 'migrations'),
    createService: (db, config) => ({
      server: createSubgraphServer<GreetingContext>({
        name,
        schemaUrl: pathToFileURL(join(dir, 'schema.graphql')),
        resolvers: {
          Query: {
            greeting: async (_: unknown, __: unknown, ctx: GreetingContext) =>
              (await ctx.db.query<{ text: string }>('SELECT text FROM greetings')).rows[0]?.text,
          },
        },
        production: config.production,
      }),
      createContext: () => ({ db }),
    }),
  };
}

async function greet(url: string): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [GATEWAY_TOKEN_HEADER]: await signer.sign(null) },
    body: JSON.stringify({ query: '{ greeting }' }),
  });
  return response.json();
}

async function counter(subgraph: RunningSubgraph, metric: string): Promise<string | undefined> {
  const text = await (await fetch(subgraph.metricsUrl)).text();
  return text.split('\n').find((line) => line.startsWith(`${metric}{`));
}

describe('subgraphs started side by side in one process', () => {
  const folder = mkdtempSync(join(tmpdir(), 'supergate-start-subgraph-'));
  const env = { NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0' };
  let first: RunningSubgraph;
  let second: RunningSubgraph;

  beforeAll(async () => {
    [first, second] = await Promise.all([
      startSubgraph(greetingSubgraph(folder, 'first'), { env }),
      startSubgraph(greetingSubgraph(folder, 'second'), { env }),
    ]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    rmSync(folder, { recursive: true, force: true });
  });

  it('each answer from their own database, having applied their own migrations', async () => {
    expect([first.appliedMigrations, second.appliedMigrations]).toEqual([['001_greetings.sql'], ['001_greetings.sql']]);
    expect(await greet(first.url)).toEqual({ data: { greeting: 'hello from first' } });
    expect(await greet(second.url)).toEqual({ data: { greeting: 'hello from second' } });
  });

  it('each count only their own requests and statements', async () => {
    await greet(first.url);
    await greet(first.url);
    const requests = await Promise.all([first, second].map((subgraph) => counter(subgraph, 'subgraph_graphql_requests_total')));
    expect(requests).toEqual(['subgraph_graphql_requests_total{service="first"} 3', 'subgraph_graphql_requests_total{service="second"} 1']);
    // Both ran the same migration statements; first answered two greetings more, each one SELECT.
    const [firstStatements, secondStatements] = await Promise.all(
      [first, second].map(async (subgraph) => Number((await counter(subgraph, 'subgraph_sql_statements_total'))?.split(' ')[1])),
    );
    expect(firstStatements! - secondStatements!).toBe(2);
  });

  it('leave the process to whoever runs them: a stopped one refuses connections, and its port serves the next one', async () => {
    const port = new URL(first.url).port;
    await first.stop();
    await expect(fetch(first.url)).rejects.toThrow();
    first = await startSubgraph(greetingSubgraph(folder, 'first'), { env: { ...env, PORT: port } });
    expect(new URL(first.url).port).toBe(port);
    expect(await greet(first.url)).toEqual({ data: { greeting: 'hello from first' } });
    expect(await greet(second.url)).toEqual({ data: { greeting: 'hello from second' } });
  }, 60_000);

  it('refuses to start on a port that is taken', async () => {
    const taken = new URL(second.url).port;
    await expect(startSubgraph(greetingSubgraph(folder, 'third'), { env: { ...env, PORT: taken } })).rejects.toThrow(/EADDRINUSE/);
  }, 60_000);
});
