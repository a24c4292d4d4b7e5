import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeSupergraph } from '../schema/composeSupergraph.js';
import { readRegistry, SUPERGRAPH_PATH } from '../schema/registry.js';
import type { reloadOnSchemaChange as reloadFunction } from '../scripts/reloadOnSchemaChange.js';
import type { RunningSystem, startSystem as startSystemFunction } from '../scripts/system.js';
import { startBuiltSystem } from './support/builtSystem.js';
import { postGraphQL, readCounter } from './support/http.js';
import { copyRepository } from './support/repositoryCopy.js';

const codeOf = (body: { errors?: { extensions?: Record<string, unknown> }[] }) => body.errors?.[0]?.extensions?.['code'];

describe('the gateway reloads the supergraph file without a restart', () => {
  let folder: string;
  let supergraphPath: string;
  let system: RunningSystem;
  const output: string[] = [];

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'supergate-reload-'));
    supergraphPath = join(folder, 'supergraph.graphql');
    writeFileSync(supergraphPath, readFileSync(SUPERGRAPH_PATH, 'utf8'));
    system = await startBuiltSystem({ freePorts: true, env: { NODE_ENV: 'test', SUPERGRAPH_PATH: supergraphPath }, log: (line) => output.push(line) });
  });

  afterAll(async () => {
    await system?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('serves a valid new supergraph, fails no request in flight, and refuses an invalid one', async () => {
    const withDescription = '{ product(upc: "1") { name description } }';
    expect((await postGraphQL(system.gatewayUrl, withDescription)).body.errors).toBeUndefined();

    // The same subgraphs, but products no longer offers Product.description to clients.
    const productsSdl = join(folder, 'products.graphql');
    const entries = readRegistry().map((entry) => {
      if (entry.name !== 'products') return entry;
      writeFileSync(productsSdl, readFileSync(entry.schemaPath, 'utf8').replace(/\n\s*description: String!/, ''));
      return { ...entry, schemaPath: productsSdl };
    });
    const composed = composeSupergraph(entries);
    if (!composed.ok) throw new Error(composed.errors.join('\n'));

    let inFlight = true;
    const failures: string[] = [];
    const traffic = (async () => {
      let sent = 0;
      while (inFlight || sent < 20) {
        const answer = await postGraphQL(system.gatewayUrl, '{ topProducts(first: 3) { name price inStock } }');
        if (answer.status !== 200 || answer.body.errors !== undefined) failures.push(`${answer.status} ${JSON.stringify(answer.body.errors)}`);
        sent += 1;
      }
      return sent;
    })();
    writeFileSync(supergraphPath, composed.supergraphSdl);
    await expect
      .poll(async () => codeOf((await postGraphQL(system.gatewayUrl, withDescription)).body), { timeout: 15_000, interval: 200 })
      .toBe('GRAPHQL_VALIDATION_FAILED');
    inFlight = false;
    expect(await traffic).toBeGreaterThanOrEqual(20);
    expect(failures).toEqual([]);

    writeFileSync(supergraphPath, 'type Query {');
    await expect.poll(() => output.some((line) => line.includes('refused the new supergraph')), { timeout: 15_000, interval: 200 }).toBe(true);
    expect((await postGraphQL(system.gatewayUrl, '{ product(upc: "1") { name } }')).body.errors).toBeUndefined();
    expect(codeOf((await postGraphQL(system.gatewayUrl, withDescription)).body)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(await readCounter(system.gatewayUrl, 'gateway_supergraph_reloads_total')).toBeGreaterThanOrEqual(3);
  });
});

describe('in development, a changed subgraph SDL is recomposed and served', () => {
  let root: string;
  let system: RunningSystem | undefined;
  let watcher: { close(): void } | undefined;
  const output: string[] = [];

  beforeAll(() => {
    root = copyRepository('supergate-recompose-');
  });

  afterAll(async () => {
    watcher?.close();
    await system?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  // Starts every service of a fresh copy inside the test, which takes a while on a busy machine.
  it(
    'restarts the subgraph, recomposes, and the gateway answers the new field; a change that does not compose changes nothing',
    { timeout: 180_000 },
    async () => {
      const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(root, path)).href)) as T;
      const { startSystem: startCopy } = await load<{ startSystem: typeof startSystemFunction }>('scripts/system.ts');
      const { reloadOnSchemaChange } = await load<{ reloadOnSchemaChange: typeof reloadFunction }>('scripts/reloadOnSchemaChange.ts');
      const { readRegistry: readCopyRegistry } = await load<{ readRegistry: typeof readRegistry }>('schema/registry.ts');
      system = await startCopy({ freePorts: true, env: { NODE_ENV: 'test' }, log: (line) => output.push(line) });
      watcher = reloadOnSchemaChange(system, readCopyRegistry(), (line) => output.push(line), join(root, 'schema', 'supergraph.graphql'));

      const sdlPath = join(root, 'subgraphs', 'products', 'schema.graphql');
      const original = readFileSync(sdlPath, 'utf8');
      const newField = '{ product(upc: "1") { name material } }';
      expect(codeOf((await postGraphQL(system.gatewayUrl, newField)).body)).toBe('GRAPHQL_VALIDATION_FAILED');

      writeFileSync(
        sdlPath,
        original.replace('  description: String!', '  description: String!\n  "What it is made of; not recorded yet."\n  material: String'),
      );
      await expect
        .poll(async () => (await postGraphQL(system!.gatewayUrl, newField)).body, { timeout: 30_000, interval: 300 })
        .toEqual({ data: { product: { name: expect.any(String), material: null } } });
      expect(output).toContain('[schema] restarted products with its new SDL');

      const supergraphBefore = readFileSync(join(root, 'schema', 'supergraph.graphql'), 'utf8');
      writeFileSync(sdlPath, original.replace('type Product @key(fields: "upc")', 'type Product @key(fields: "nope")'));
      await expect.poll(() => output.some((line) => line.includes('no longer compose')), { timeout: 15_000, interval: 200 }).toBe(true);
      expect(readFileSync(join(root, 'schema', 'supergraph.graphql'), 'utf8')).toBe(supergraphBefore);
      expect((await postGraphQL(system.gatewayUrl, newField)).body.errors).toBeUndefined();
    },
  );
});
