import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { appendToRegistry, newSubgraphNameProblem, nextFreePort, readRegistry } from './registry.js';

// A fixture rather than schema/subgraphs.json, which gains entries as the project grows.
const FIXTURE = fileURLToPath(new URL('./testdata/registry.json', import.meta.url));
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
  it('keeps the existing entries as they were written and adds one line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'supergate-registry-'));
    try {
      const path = join(dir, 'subgraphs.json');
      copyFileSync(FIXTURE, path);
      const before = readFileSync(path, 'utf8');
      appendToRegistry({ name: 'warranty', port: 4099, routingUrl: 'http://127.0.0.1:4099/graphql', schema: '../subgraphs/warranty/schema.graphql' }, path);
      const after = readFileSync(path, 'utf8');
      const line = '    { "name": "warranty", "port": 4099, "routingUrl": "http://127.0.0.1:4099/graphql", "schema": "../subgraphs/warranty/schema.graphql" }';
      expect(after).toBe(before.replace(/ }\n {2}\]\n\}\n$/, ` },\n${line}\n  ]\n}\n`));
      expect(readRegistry(path).map((entry) => entry.name)).toEqual([...entries.map((entry) => entry.name), 'warranty']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
