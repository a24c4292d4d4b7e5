import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSupergraphConfig } from '../gateway/src/compose/supergraphYaml.js';
import { resolvers as abstractTypes } from './fixtures/supergraphs/abstractTypes/resolvers.js';
import { resolvers as fieldOwnership } from './fixtures/supergraphs/fieldOwnership/resolvers.js';
import { postGraphQL } from './support/http.js';
import { startSubgraphs, type RunningSubgraphs, type SubgraphResolvers } from './support/subgraphServers.js';
import { runSupergate, startSupergate, type RunningSupergate } from './support/supergate.js';

// Federation 2 supergraphs of other shapes than the shop's, each composed by `supergate compose`
// from test/fixtures/supergraphs/<name>/supergraph.yaml and served by `supergate`, edge checks and
// response cache on. The subgraphs answer from this process; the gateway is the only other process.

interface FixtureCase {
  readonly feature: string;
  readonly query: string;
  readonly answer: unknown;
}

interface Fixture {
  readonly name: string;
  readonly resolvers: Readonly<Record<string, SubgraphResolvers>>;
  readonly cases: readonly FixtureCase[];
}

const FIXTURES: readonly Fixture[] = [
  {
    name: 'abstractTypes',
    resolvers: abstractTypes,
    cases: [
      {
        feature: 'an entity interface whose implementations another subgraph extends through @interfaceObject',
        query: '{ media { __typename id title stars ... on Book { pages } ... on Movie { minutes } } }',
        answer: {
          data: {
            media: [
              { __typename: 'Book', id: 'b1', title: 'Dune', stars: 4, pages: 412 },
              { __typename: 'Movie', id: 'm1', title: 'Alien', stars: 5, minutes: 117 },
            ],
          },
        },
      },
      {
        feature: 'an @interfaceObject returned by its own subgraph, typed and completed by the one that owns the interface',
        query: '{ topRated { __typename title stars ... on Book { pages } } }',
        answer: {
          data: {
            topRated: [
              { __typename: 'Movie', title: 'Alien', stars: 5 },
              { __typename: 'Book', title: 'Dune', stars: 4, pages: 412 },
            ],
          },
        },
      },
      {
        feature: "a union of another subgraph's entities, each member completed across both",
        query: '{ search(text: "a") { __typename ... on Book { title pages stars } ... on Movie { title minutes } } featured { title } }',
        answer: {
          data: {
            search: [
              { __typename: 'Book', title: 'Dune', pages: 412, stars: 4 },
              { __typename: 'Movie', title: 'Alien', minutes: 117 },
            ],
            featured: { title: 'Alien' },
          },
        },
      },
    ],
  },
  {
    name: 'fieldOwnership',
    resolvers: fieldOwnership,
    cases: [
      {
        feature: '@override: the overriding subgraph answers the field',
        query: '{ products { upc inStock } }',
        answer: {
          data: {
            products: [
              { upc: 'p1', inStock: true },
              { upc: 'p2', inStock: false },
            ],
          },
        },
      },
      {
        feature: '@requires: the fields it needs reach the subgraph that computes from them',
        query: '{ products { name shippingCost } }',
        answer: {
          data: {
            products: [
              { name: 'Lamp', shippingCost: 26 },
              { name: 'Desk', shippingCost: 180 },
            ],
          },
        },
      },
      {
        feature: '@provides: the providing subgraph answers the provided field, the owner the rest',
        query: '{ products { reviews { body author { name email } } } }',
        answer: {
          data: {
            products: [{ reviews: [{ body: 'Bright enough.', author: { name: 'Ada, as reviews knows her', email: 'ada@example.com' } }] }, { reviews: [] }],
          },
        },
      },
    ],
  },
];

describe.each(FIXTURES)('supergate serving the $name fixture', ({ name, resolvers, cases }) => {
  const folder = join(import.meta.dirname, 'fixtures', 'supergraphs', name);
  let dir: string;
  let subgraphs: RunningSubgraphs | undefined;
  let gateway: RunningSupergate | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `supergate-${name}-`));
    const config = parseSupergraphConfig(join(folder, 'supergraph.yaml'), readFileSync(join(folder, 'supergraph.yaml'), 'utf8'));
    subgraphs = await startSubgraphs(
      config.subgraphs.map((subgraph) => {
        if (subgraph.schema.kind !== 'file') throw new Error(`${name}: ${subgraph.name} must keep its SDL in a file`);
        return { name: subgraph.name, typeDefs: readFileSync(subgraph.schema.path, 'utf8'), resolvers: resolvers[subgraph.name] ?? {} };
      }),
      { defaultMaxAge: 60 },
    );
    const composed = await runSupergate(['compose', '--config', join(folder, 'supergraph.yaml'), '--output', 'supergraph.graphql'], { cwd: dir });
    expect(composed, composed.stderr).toMatchObject({ code: 0 });
    const overrides = [...subgraphs.urls].flatMap(([subgraph, url]) => ['--subgraph-url', `${subgraph}=${url}`]);
    gateway = await startSupergate(['--supergraph', 'supergraph.graphql', '--port', '0', '--metrics-port', '0', ...overrides], {
      cwd: dir,
      env: { LOG_LEVEL: 'warn' },
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await subgraphs?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(cases)('answers $feature, then answers it again from the response cache', async ({ query, answer }) => {
    const first = await postGraphQL(gateway!.url, query);
    expect({ status: first.status, body: first.body }).toEqual({ status: 200, body: answer });
    const second = await postGraphQL(gateway!.url, query);
    expect({ status: second.status, cache: second.headers.get('x-cache'), body: second.body }).toEqual({ status: 200, cache: 'HIT', body: answer });
  });
});

describe('a supergraph the gateway cannot run', () => {
  const yaml = join(import.meta.dirname, 'fixtures', 'supergraphs', 'contextArguments', 'supergraph.yaml');

  it('composes with a note, and is refused at start-up saying which feature and why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'supergate-context-'));
    try {
      const why =
        "https://specs.apollo.dev/context/v0.1 (for: SECURITY): @context and @fromContext fill arguments from enclosing types, which @apollo/gateway, running Supergate's query plans, does not do";
      const composed = await runSupergate(['compose', '--config', yaml, '--output', 'supergraph.graphql'], { cwd: dir });
      expect(composed).toEqual({
        code: 0,
        stdout: '',
        stderr: `supergate compose: supergate will not serve this supergraph: ${why}\nWrote supergraph.graphql (1 subgraph).\n`,
      });
      const served = await runSupergate(['--port', '0', '--metrics-port', '0'], { cwd: dir, env: { JWT_SECRET: 'x'.repeat(32) } });
      expect({ code: served.code, stderr: served.stderr }).toEqual({
        code: 1,
        stderr: `[gateway] failed to start: Supergate cannot serve this supergraph: ${why}\n`,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
