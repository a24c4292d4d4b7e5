import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { appendToRegistry, newSubgraphNameProblem, nextFreePort, readRegistry } from './registry.js';

// A fixture rather than schema/supergraph.yaml, which gains entries as the project grows.
const FIXTURE = fileURLToPath(new URL('./testdata/supergraph.yaml', import.meta.url));
const entries = readRegistry(FIXTURE);

describe('a new subgraph name', () => {
  it.each(['warranty', 'giftcards', 'loyalty2'])('accepts %s', (name) => {
    expect(newSubgraphNameProblem(name, entries)).toBeUndefined();
  });

  it.each([
    ['Warranty', /not a valid subgraph name: use 2 to 31 lowercase letters and digits, starting with a letter/],
    ['gift-cards', /not a valid subgraph name/],
    ['2fa', /not a valid subgraph name/],
    ['x', /not a valid subgraph name/],
    ['', /not a valid subgraph name/],
    ['kit', /"kit" is reserved/],
    ['gateway', /"gateway" is reserved/],
    ['user', /"user" is reserved .* SQL keyword/],
    ['query', /"query" is reserved/],
    ['products', /A subgraph named "products" is already registered/],
  ])('refuses %j', (name, message) => {
    expect(newSubgraphNameProblem(name, entries)).toMatch(message);
  });
});

describe('the next free port', () => {
  it('follows the highest registered port', () => {
    expect(nextFreePort(entries)).toBe(4006);
  });

  it('starts after the gateway port', () => {
    expect(nextFreePort([])).toBe(4001);
  });
});

describe('appending to the registry', () => {
  it('keeps the existing entries, comments and layout as they were written and adds one entry', () => {
    const dir = mkdtempSync(join(tmpdir(), 'supergate-registry-'));
    try {
      const path = join(dir, 'supergraph.yaml');
      copyFileSync(FIXTURE, path);
      const before = readFileSync(path, 'utf8');
      appendToRegistry({ name: 'warranty', routingUrl: 'http://127.0.0.1:4099/graphql', schema: '../subgraphs/warranty/schema.graphql' }, path);
      const after = readFileSync(path, 'utf8');
      expect(after).toBe(
        `${before}  warranty:\n    routing_url: http://127.0.0.1:4099/graphql\n    schema:\n      file: ../subgraphs/warranty/schema.graphql\n`,
      );
      expect(readRegistry(path).map((entry) => [entry.name, entry.port])).toEqual([...entries.map((entry) => [entry.name, entry.port]), ['warranty', 4099]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('reading the registry', () => {
  const readText = (text: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'supergate-registry-'));
    try {
      const path = join(dir, 'supergraph.yaml');
      writeFileSync(path, text);
      return readRegistry(path);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const entry = (name: string, url: string, more = '') => `  ${name}:\n    routing_url: ${url}\n    schema:\n      file: ${name}.graphql\n${more}`;

  it("takes each port from its routing URL and the peers from Supergate's own key", () => {
    expect(entries.map(({ name, port, peers }) => ({ name, port, peers }))).toEqual([
      { name: 'products', port: 4002, peers: [] },
      { name: 'orders', port: 4005, peers: ['products'] },
    ]);
  });

  it.each([
    [entry('products', 'http://127.0.0.1/graphql'), /subgraphs\.products\.routing_url must name its port/],
    [entry('orders', 'http://127.0.0.1:4005/graphql', '    peers: [warehouse]\n'), /subgraphs\.orders\.peers must be a list of registered subgraph names/],
    [
      '  products:\n    routing_url: http://127.0.0.1:4002/graphql\n    schema:\n      sdl: "type Query { a: String }"\n',
      /subgraphs\.products\.schema must be a file/,
    ],
    [entry('products', 'products:4002'), /subgraphs\.products\.routing_url must be an absolute http\(s\) URL/],
  ])('refuses an entry the launcher could not run: %#', (subgraphs, message) => {
    expect(() => readText(`subgraphs:\n${subgraphs}`)).toThrow(message);
  });
});
