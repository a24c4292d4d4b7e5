import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composeSupergraph } from './composeSupergraph.js';
import { SUPERGRAPH_PATH, readRegistry } from './registry.js';

describe('the committed supergraph', () => {
  it('is what the registered subgraphs compose to (run `npm run compose` after changing any SDL)', () => {
    const result = composeSupergraph(readRegistry());
    expect(result.ok ? 'composes' : result.errors).toBe('composes');
    if (result.ok) expect(readFileSync(SUPERGRAPH_PATH, 'utf8')).toBe(result.supergraphSdl);
  });

  it('fails composition with the subgraph and the reason when two subgraphs disagree', () => {
    const entries = readRegistry();
    const products = entries.find((entry) => entry.name === 'products')!;
    const broken = { ...products, name: 'catalog', schemaPath: new URL('./testdata/conflicting-product.graphql', import.meta.url).pathname };
    const result = composeSupergraph([...entries, broken]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.join('\n')).toMatch(/catalog/);
  });
});

describe('the subgraph registry', () => {
  it('rejects an entry without a valid name', () => {
    expect(() => readRegistry(new URL('./testdata/bad-supergraph.yaml', import.meta.url).pathname)).toThrow(
      /subgraphs\.Bad Name: the name must be a lowercase word/,
    );
  });
});
