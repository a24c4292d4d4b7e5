import { readFileSync } from 'node:fs';
import { parse, print, Kind, type DirectiveDefinitionNode } from 'graphql';
import { rateLimitDirective } from 'graphql-rate-limit-directive';
import { describe, expect, it } from 'vitest';
import { readRegistry } from '../../../schema/registry.js';
import { readFieldRateLimits, rateLimitFor } from './fieldRateLimits.js';

const supergraph = readFileSync(new URL('../../../schema/supergraph.graphql', import.meta.url), 'utf8');

function directiveDefinition(sdl: string): string | undefined {
  const definition = parse(sdl).definitions.find((d): d is DirectiveDefinitionNode => d.kind === Kind.DIRECTIVE_DEFINITION && d.name.value === 'rateLimit');
  return definition === undefined ? undefined : print(definition);
}

describe('@rateLimit from the supergraph', () => {
  it('limits addReview to 5, and placeOrder and cancelOrder to 10, per caller per minute', () => {
    const limits = readFieldRateLimits(supergraph);
    expect(rateLimitFor(limits, 'Mutation', 'addReview')).toEqual({ limit: 5, duration: 60 });
    expect(rateLimitFor(limits, 'Mutation', 'placeOrder')).toEqual({ limit: 10, duration: 60 });
    expect(rateLimitFor(limits, 'Mutation', 'cancelOrder')).toEqual({ limit: 10, duration: 60 });
    expect(rateLimitFor(limits, 'Query', 'product')).toBeUndefined();
  });

  it('is declared in every subgraph exactly as graphql-rate-limit-directive defines it', () => {
    const library = directiveDefinition(rateLimitDirective().rateLimitDirectiveTypeDefs);
    const declaring = readRegistry().filter((entry) => readFileSync(entry.schemaPath, 'utf8').includes('@rateLimit'));
    expect(declaring.map((entry) => entry.name).sort()).toEqual(expect.arrayContaining(['orders', 'reviews']));
    for (const entry of declaring) expect(directiveDefinition(readFileSync(entry.schemaPath, 'utf8'))).toBe(library);
    expect(directiveDefinition(supergraph)).toBe(library);
  });

  it('applies a type-level limit to each field, honours renamed imports and defaults', () => {
    const sdl = `
      schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://supergate.dev/rate-limit/v1.0", import: [{ name: "@rateLimit", as: "@throttle" }]) { query: Query }
      directive @throttle(limit: Int! = 60, duration: Int! = 30) on OBJECT | FIELD_DEFINITION
      type Query @throttle(limit: 100) { a: Int b: Int @throttle(limit: 2, duration: 10) }
    `;
    const limits = readFieldRateLimits(sdl);
    expect(rateLimitFor(limits, 'Query', 'a')).toEqual({ limit: 100, duration: 30 });
    expect(rateLimitFor(limits, 'Query', 'b')).toEqual({ limit: 2, duration: 10 });
  });

  it('finds nothing in a supergraph that does not link the spec', () => {
    expect(readFieldRateLimits('type Query { a: Int @rateLimit(limit: 1) } directive @rateLimit(limit: Int) on FIELD_DEFINITION').size).toBe(0);
  });
});
