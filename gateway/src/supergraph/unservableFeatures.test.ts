import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { unservableFeatures } from './unservableFeatures.js';

const linking = (...links: string[]) => parse(`schema ${links.map((link) => `@link(${link})`).join(' ')} { query: Query } type Query { a: String }`);

describe('features a supergraph links that the gateway cannot serve', () => {
  it('are none for what @apollo/gateway runs, what the edge enforces, and links without a purpose', () => {
    expect(
      unservableFeatures(
        linking(
          'url: "https://specs.apollo.dev/link/v1.0"',
          'url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION',
          'url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY',
          'url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY',
          'url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY',
          'url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"]',
        ),
      ),
    ).toEqual([]);
  });

  it('name each security or execution feature nobody here implements, and why', () => {
    expect(
      unservableFeatures(
        linking(
          'url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY',
          'url: "https://specs.apollo.dev/context/v0.1", for: SECURITY',
          'url: "https://example.com/sharding/v1.0", for: EXECUTION',
        ),
      ),
    ).toEqual([
      'https://specs.apollo.dev/policy/v0.1 (for: SECURITY): @policy needs a policy engine to decide; Supergate enforces @authenticated and @requiresScopes',
      "https://specs.apollo.dev/context/v0.1 (for: SECURITY): @context and @fromContext fill arguments from enclosing types, which @apollo/gateway, running Supergate's query plans, does not do",
      'https://example.com/sharding/v1.0 (for: EXECUTION): Supergate does not implement sharding',
    ]);
  });
});
