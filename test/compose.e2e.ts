import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSubgraphs, type RunningSubgraphs } from './support/subgraphServers.js';
import { runSupergate } from './support/supergate.js';

const PRODUCTS = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Product @key(fields: "upc") { upc: ID! name: String! }
type Query { products: [Product!]! }
`;
const REVIEWS = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Product @key(fields: "upc") { upc: ID! reviews: [String!]! }
`;
const SHIPPING = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Product @key(fields: "upc") { upc: ID! shipsIn: Int! }
`;

describe('supergate compose', () => {
  let dir: string;
  let shipping: RunningSubgraphs;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'supergate-compose-'));
    shipping = await startSubgraphs([{ name: 'shipping', typeDefs: SHIPPING, resolvers: { Product: { shipsIn: () => 2 } } }]);
    writeFileSync(join(dir, 'products.graphql'), PRODUCTS);
  });

  afterAll(async () => {
    await shipping?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("composes a file, inline SDL and a running subgraph's _service { sdl } to standard output, as @apollo/composition does", async () => {
    writeFileSync(
      join(dir, 'supergraph.yaml'),
      [
        'federation_version: =2.14.4',
        'subgraphs:',
        '  products:',
        '    routing_url: http://products:4001/graphql',
        '    schema:',
        '      file: ./products.graphql',
        '  reviews:',
        '    routing_url: http://reviews:4002/graphql',
        '    schema:',
        `      sdl: ${JSON.stringify(REVIEWS)}`,
        '  shipping:',
        '    schema:',
        `      subgraph_url: ${String(shipping.urls.get('shipping'))}`,
        '',
      ].join('\n'),
    );
    const result = await runSupergate(['compose'], { cwd: dir });
    const expected = composeServices([
      { name: 'products', url: 'http://products:4001/graphql', typeDefs: parse(PRODUCTS) },
      { name: 'reviews', url: 'http://reviews:4002/graphql', typeDefs: parse(REVIEWS) },
      { name: 'shipping', url: shipping.urls.get('shipping')!, typeDefs: parse(SHIPPING) },
    ]);
    expect(result).toEqual({ code: 0, stdout: expected.supergraphSdl, stderr: '' });
  });

  it('writes --output, and leaves it alone when it is up to date', async () => {
    writeFileSync(
      join(dir, 'one.yaml'),
      'federation_version: 2\nsubgraphs:\n  products:\n    routing_url: http://products:4001/graphql\n    schema:\n      file: products.graphql\n',
    );
    const first = await runSupergate(['compose', '--config', 'one.yaml', '--output', 'out.graphql'], { cwd: dir });
    expect(first).toEqual({ code: 0, stdout: '', stderr: 'Wrote out.graphql (1 subgraph).\n' });
    expect(readFileSync(join(dir, 'out.graphql'), 'utf8')).toMatch(/^schema\n {2}@link\(url: "https:\/\/specs.apollo.dev\/link\/v1.0"\)/);
    const second = await runSupergate(['compose', '-c', 'one.yaml', '-o', 'out.graphql'], { cwd: dir });
    expect(second).toEqual({ code: 0, stdout: '', stderr: 'out.graphql is up to date.\n' });
  });

  it('prints why subgraphs do not compose, writes nothing and exits 1', async () => {
    writeFileSync(
      join(dir, 'clash.graphql'),
      'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])\ntype Product @key(fields: "upc") { upc: ID! name: Int! }\n',
    );
    writeFileSync(
      join(dir, 'clash.yaml'),
      'subgraphs:\n  products:\n    routing_url: http://products:4001/graphql\n    schema:\n      file: products.graphql\n  catalog:\n    routing_url: http://catalog:4003/graphql\n    schema:\n      file: clash.graphql\n',
    );
    const result = await runSupergate(['compose', '--config', 'clash.yaml', '--output', 'clash.out.graphql'], { cwd: dir });
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 1, stdout: '' });
    expect(result.stderr).toMatch(
      /^supergate compose: composition failed with \d+ error\(s\):\n {2}- \[FIELD_TYPE_MISMATCH\] Type of field "Product.name" is incompatible across subgraphs/,
    );
    expect(() => readFileSync(join(dir, 'clash.out.graphql'))).toThrow(/ENOENT/);
  });

  it('says which subgraph could not be read or reached, and what in the yaml file is wrong', async () => {
    writeFileSync(
      join(dir, 'broken.yaml'),
      'subgraphs:\n  products:\n    routing_url: http://products:4001/graphql\n    schema:\n      file: missing.graphql\n  gone:\n    schema:\n      subgraph_url: http://127.0.0.1:9/graphql\n',
    );
    const unreachable = await runSupergate(['compose', '--config', 'broken.yaml'], { cwd: dir });
    expect({ code: unreachable.code, stdout: unreachable.stdout }).toEqual({ code: 1, stdout: '' });
    expect(unreachable.stderr).toMatch(
      new RegExp(
        `^supergate compose: composition failed with 2 error\\(s\\):\n {2}- products: cannot read ${join(dir, 'missing.graphql')}: no such file\n {2}- gone: cannot reach http://127.0.0.1:9/graphql for its SDL: `,
      ),
    );
    writeFileSync(
      join(dir, 'studio.yaml'),
      'federation_version: =2.14.4\nsubgraphs:\n  products:\n    routing_url: http://products:4001/graphql\n    schema:\n      graphref: shop@current\n      subgraph: products\n',
    );
    const studio = await runSupergate(['compose', '--config', 'studio.yaml'], { cwd: dir });
    expect(studio).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'supergate compose: studio.yaml cannot be composed:\n  - subgraphs.products.schema.graphref fetches the SDL from Apollo GraphOS, which Supergate does not reach; save it to a file (`rover subgraph fetch shop@current --name products > schema.graphql`) and use schema.file\n',
    });
  });
});
