import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL } from './support/http.js';
import { startSubgraphs, type RunningSubgraphs } from './support/subgraphServers.js';
import { runSupergate, startSupergate, type RunningSupergate } from './support/supergate.js';

/** No entity at all: nothing at the edge may assume a supergraph has keys. */
const GREETINGS = {
  name: 'greetings',
  typeDefs: `
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    type Author { id: ID! name: String! }
    type Greeting { text: String! author: Author! }
    type Query { greeting: Greeting! }
  `,
  resolvers: {
    Query: { greeting: () => ({ text: 'Hello', author: { id: 'a1', name: 'Ada' } }) },
  },
};

describe('the supergate command', () => {
  it('lists its options and commands, and prints its version', async () => {
    const help = await runSupergate(['--help']);
    expect(help.code).toBe(0);
    for (const flag of ['--supergraph <file>', '--port <port>', '--host <host>', '--config <file>', '--subgraph-url <name=url>', '--version'])
      expect(help.stdout).toContain(flag);
    expect(help.stdout).toMatch(/Commands:\n\s+serve \[options\][^\n]*\n\s+compose \[options\]/);
    const version = await runSupergate(['--version']);
    expect({ code: version.code, stdout: version.stdout }).toEqual({
      code: 0,
      stdout: `${(JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version}\n`,
    });
  });

  it('refuses a bad setting with exit code 1, naming the variable and where the value came from', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'supergate-cli-bad-'));
    try {
      writeFileSync(join(dir, 'supergraph.graphql'), 'type Query { a: String }');
      writeFileSync(join(dir, 'supergate.config.mjs'), "export default () => ({ queryMaxDepth: 'deep' });");
      const fromFile = await runSupergate([], { cwd: dir });
      expect({ code: fromFile.code, stderr: fromFile.stderr }).toEqual({
        code: 1,
        stderr: '[gateway] failed to start: QUERY_MAX_DEPTH (queryMaxDepth in supergate.config.mjs) must be an integer from 1 to 1000; got "deep"\n',
      });
      const fromFlag = await runSupergate(['serve', '--subgraph-url', 'products=nowhere'], { cwd: dir, env: { QUERY_MAX_DEPTH: '5' } });
      expect(fromFlag.stderr).toBe('[gateway] failed to start: SUBGRAPH_PRODUCTS_URL (--subgraph-url products=) must be an http(s) URL; got "nowhere"\n');
      const malformed = await runSupergate(['--subgraph-url', 'products'], { cwd: dir });
      expect({ code: malformed.code, stderr: malformed.stderr }).toEqual({
        code: 1,
        stderr:
          "error: option '--subgraph-url <name=url>' argument 'products' is invalid. Expected <name>=<url>, e.g. products=http://127.0.0.1:4001/graphql.\n",
      });
      rmSync(join(dir, 'supergraph.graphql'));
      const noSupergraph = await runSupergate([], { cwd: dir, env: { QUERY_MAX_DEPTH: '5' } });
      expect(noSupergraph.stderr).toMatch(
        /^\[gateway\] failed to start: SUPERGRAPH_PATH \(the default\) must be a supergraph file that exists \(compose one with `supergate compose`/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('supergate in front of a subgraph of its own, set by a TypeScript config file, the environment and flags', () => {
  let dir: string;
  let subgraphs: RunningSubgraphs;
  let gateway: RunningSupergate | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'supergate-cli-'));
    subgraphs = await startSubgraphs([GREETINGS]);
    writeFileSync(join(dir, 'greetings.graphql'), GREETINGS.typeDefs);
    // A routing URL nobody answers at: the config file's subgraphUrls points at the real one.
    writeFileSync(
      join(dir, 'supergraph.yaml'),
      'federation_version: =2.14.4\nsubgraphs:\n  greetings:\n    routing_url: http://127.0.0.1:9/graphql\n    schema:\n      file: ./greetings.graphql\n',
    );
    const composed = await runSupergate(['compose', '--output', 'supergraph.graphql'], { cwd: dir });
    expect(composed).toMatchObject({ code: 0, stdout: '' });
    writeFileSync(
      join(dir, 'supergate.config.ts'),
      `const limits: Record<string, number> = { queryMaxDepth: 2, queryMaxAliases: 0 };\nexport default { ...limits, port: 'not a port', subgraphUrls: { greetings: ${JSON.stringify(subgraphs.urls.get('greetings'))} } };\n`,
    );
    gateway = await startSupergate(['--port', '0', '--metrics-port', '0'], { cwd: dir, env: { PORT: 'nor this', QUERY_MAX_ALIASES: '5', LOG_LEVEL: 'warn' } });
  });

  afterAll(async () => {
    await gateway?.stop();
    await subgraphs?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers through the file's subgraph URL on the flag's port, aliases allowed by the environment over the file", async () => {
    expect(gateway?.output).toContain(`[gateway] settings from ${join(dir, 'supergate.config.ts')}, under the environment's and the command line's`);
    expect((await postGraphQL(gateway!.url, '{ hello: greeting { text } }')).body).toEqual({ data: { hello: { text: 'Hello' } } });
  });

  it("refuses what the file's depth limit refuses", async () => {
    const tooDeep = await postGraphQL(gateway!.url, '{ greeting { author { name } } }');
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'depth' });
  });
});
