import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadGatewayConfig, readGatewayConfig, subgraphUrlOverride } from '../config.js';

describe('the gateway config file', () => {
  let dir: string;
  const write = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const json = (settings: Record<string, unknown>): void => void write('supergate.config.json', JSON.stringify(settings));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'supergate-config-'));
    write('supergraph.graphql', 'type Query { hello: String }');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is found in the working directory and holds settings under camelCase keys, numbers, booleans and lists as JSON', async () => {
    json({ queryMaxDepth: 5, responseCache: false, corsOrigins: ['https://shop.example', 'https://admin.shop.example'], metricsPort: '0', jwtIssuer: null });
    const { config, configFile } = await loadGatewayConfig({ cwd: dir }, {});
    expect(configFile).toBe(join(dir, 'supergate.config.json'));
    expect(config).toMatchObject({
      queryLimits: { depth: 5 },
      responseCache: false,
      corsOrigins: ['https://shop.example', 'https://admin.shop.example'],
      metricsPort: 0,
      jwtIssuer: undefined,
    });
  });

  it('is overridden by the environment, which command-line flags override in turn', async () => {
    json({ queryMaxDepth: 5, queryMaxAliases: 3, port: 'not a port' });
    const { config } = await loadGatewayConfig(
      { cwd: dir, flags: [{ variable: 'PORT', value: '0', flag: '--port' }] },
      { QUERY_MAX_ALIASES: '7', PORT: 'nor this', QUERY_MAX_DEPTH: '  ' },
    );
    expect([config.queryLimits.depth, config.queryLimits.aliases, config.port]).toEqual([5, 7, 0]);
  });

  it('refuses a bad value with the message the environment gets, naming the key and the file', async () => {
    json({ queryMaxDepth: 'deep' });
    await expect(loadGatewayConfig({ cwd: dir }, {})).rejects.toThrow(
      'QUERY_MAX_DEPTH (queryMaxDepth in supergate.config.json) must be an integer from 1 to 1000; got "deep"',
    );
    json({ corsOrigins: { origin: 'x' } });
    await expect(loadGatewayConfig({ cwd: dir }, {})).rejects.toThrow(
      'CORS_ORIGINS (corsOrigins in supergate.config.json) must be a string, number, boolean or list of them; got "an object"',
    );
  });

  it('names the flag a bad value came from, and says nothing more of one from the environment', async () => {
    await expect(loadGatewayConfig({ cwd: dir, flags: [{ variable: 'PORT', value: 'x', flag: '--port' }] }, {})).rejects.toThrow(
      'PORT (--port) must be an integer from 0 to 65535; got "x"',
    );
    await expect(loadGatewayConfig({ cwd: dir }, { PORT: 'x' })).rejects.toThrow(/^PORT must be an integer/);
  });

  it('refuses a key that names no setting', async () => {
    json({ queryMaxDepht: 5 });
    await expect(loadGatewayConfig({ cwd: dir }, {})).rejects.toThrow(
      `supergate.config.json must be free of keys that name no setting (the README's configuration table lists every file key); got "queryMaxDepht"`,
    );
  });

  it('reads subgraph URLs from one map, whatever characters the names hold', async () => {
    json({ subgraphUrls: { products: 'http://products:4001/graphql', 'inventory-service': 'http://inventory:4002/graphql' } });
    const { config } = await loadGatewayConfig({ cwd: dir }, { SUBGRAPH_PRODUCTS_URL: 'http://from-env:4001/graphql' });
    expect([subgraphUrlOverride(config, 'products'), subgraphUrlOverride(config, 'inventory-service'), subgraphUrlOverride(config, 'reviews')]).toEqual([
      'http://from-env:4001/graphql',
      'http://inventory:4002/graphql',
      undefined,
    ]);
    json({ subgraphUrls: { products: 'products:4001' } });
    await expect(loadGatewayConfig({ cwd: dir }, {})).rejects.toThrow(
      'SUBGRAPH_PRODUCTS_URL (subgraphUrls.products in supergate.config.json) must be an http(s) URL; got "products:4001"',
    );
  });

  it('resolves supergraphPath against the file, and SUPERGRAPH_PATH and --supergraph against the working directory', async () => {
    mkdirSync(join(dir, 'config'));
    write('config/supergate.config.json', JSON.stringify({ supergraphPath: '../supergraph.graphql' }));
    expect((await loadGatewayConfig({ cwd: join(dir, 'config') }, {})).config.supergraphPath).toBe(join(dir, 'supergraph.graphql'));
    expect((await loadGatewayConfig({ cwd: dir }, { SUPERGRAPH_PATH: 'supergraph.graphql' })).config.supergraphPath).toBe(join(dir, 'supergraph.graphql'));
  });

  it('refuses to start without the supergraph, saying which setting named it', async () => {
    await expect(loadGatewayConfig({ cwd: dir, flags: [{ variable: 'SUPERGRAPH_PATH', value: 'missing.graphql', flag: '--supergraph' }] }, {})).rejects.toThrow(
      `SUPERGRAPH_PATH (--supergraph) must be a supergraph file that exists (compose one with \`supergate compose\`, or name one with --supergraph); got "${join(dir, 'missing.graphql')}"`,
    );
    await expect(loadGatewayConfig({ cwd: dir, defaults: { SUPERGRAPH_PATH: 'none.graphql' } }, {})).rejects.toThrow(
      /^SUPERGRAPH_PATH \(the default\) must be a supergraph file that exists/,
    );
  });

  it('is a module whose default export is the settings or a function returning them, async or not', async () => {
    write('supergate.config.mjs', 'export default async () => ({ queryMaxDepth: 4 });');
    expect((await loadGatewayConfig({ cwd: dir }, {})).config.queryLimits.depth).toBe(4);
    write('settings.mjs', 'export default { queryMaxDepth: 6 };');
    expect((await loadGatewayConfig({ cwd: dir, configFile: 'settings.mjs' }, {})).config.queryLimits.depth).toBe(6);
  });

  it('is a TypeScript module, loaded with tsx', async () => {
    write('supergate.config.ts', 'const depth: number = 3;\nexport default { queryMaxDepth: depth } satisfies Record<string, unknown>;\n');
    expect((await loadGatewayConfig({ cwd: dir }, {})).config.queryLimits.depth).toBe(3);
  });

  it('is named by --config over SUPERGATE_CONFIG, and a named file that is missing stops start-up', async () => {
    write('a.json', JSON.stringify({ queryMaxDepth: 2 }));
    write('b.json', JSON.stringify({ queryMaxDepth: 9 }));
    expect((await loadGatewayConfig({ cwd: dir, configFile: 'a.json' }, { SUPERGATE_CONFIG: 'b.json' })).config.queryLimits.depth).toBe(2);
    expect((await loadGatewayConfig({ cwd: dir }, { SUPERGATE_CONFIG: join(dir, 'b.json') })).config.queryLimits.depth).toBe(9);
    await expect(loadGatewayConfig({ cwd: dir }, { SUPERGATE_CONFIG: 'c.json' })).rejects.toThrow(
      'the config file c.json (named by SUPERGATE_CONFIG) does not exist',
    );
  });

  it('refuses two default files at once, a file of another kind, and JSON that does not parse', async () => {
    json({});
    write('supergate.config.mjs', 'export default {};');
    await expect(loadGatewayConfig({ cwd: dir }, {})).rejects.toThrow(
      `found supergate.config.json and supergate.config.mjs in ${dir}; keep one, or name the one to use with --config`,
    );
    write('supergate.yaml', 'port: 4000');
    await expect(loadGatewayConfig({ cwd: dir, configFile: 'supergate.yaml' }, {})).rejects.toThrow(
      'supergate.yaml: a config file is .json, .mjs, .js or .ts (TypeScript is loaded with tsx)',
    );
    write('broken.json', '{ "port": ');
    await expect(loadGatewayConfig({ cwd: dir, configFile: 'broken.json' }, {})).rejects.toThrow(/^broken\.json is not valid JSON/);
    write('empty.mjs', 'export const port = 4000;');
    await expect(loadGatewayConfig({ cwd: dir, configFile: 'empty.mjs' }, {})).rejects.toThrow('empty.mjs has no default export');
  });
});

describe('a bad value from elsewhere than the environment', () => {
  it('is named with where it came from, every variable of the message', () => {
    const origins = new Map([
      ['JWT_SECRET', 'jwtSecret in supergate.config.json'],
      ['JWKS_URL', '--jwks-url'],
    ]);
    expect(() => readGatewayConfig({ JWT_SECRET: 'x'.repeat(32), JWKS_URL: 'https://keys.example/jwks.json' }, origins)).toThrow(
      'JWT_SECRET (jwtSecret in supergate.config.json) and JWKS_URL (--jwks-url) must be set one at a time',
    );
  });
});
