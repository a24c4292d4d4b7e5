import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { NO_COST_DIRECTIVES } from './limits/costDirectives.js';
import { OperationMemo } from './OperationMemo.js';

const schema = buildSchema('type Query { products(first: Int = 5, category: String): [Product!]! } type Product { name: String! }');
const document = parse('query($n: Int, $category: String, $junk: String) { products(first: $n, category: $category) { name } }');
const operation = document.definitions[0] as OperationDefinitionNode;
const options = { defaultListSize: 10, costDirectives: NO_COST_DIRECTIVES };
const noSecurity = { byCoordinate: new Map(), gatewaySupergraphSdl: '' };

describe('what the edge checks remember about a document', () => {
  it('remembers a measure per list size, not per set of variables', () => {
    const memo = new OperationMemo();
    for (let i = 0; i < 50; i += 1) memo.measure(schema, document, operation, { n: 3, category: `c${i}`, junk: 'x'.repeat(10_000) }, options);
    expect(memo.remembered(document).measures).toBe(1);
    expect(memo.measure(schema, document, operation, { n: 7 }, options).cost).toBe(1 + 7);
    expect(memo.measure(schema, document, operation, {}, options).cost).toBe(1 + 5);
    expect(memo.remembered(document).measures).toBe(3);
  });

  it('holds at most 64 results per document, however many list sizes or scope sets callers send', () => {
    const memo = new OperationMemo();
    for (let n = 0; n < 1000; n += 1) {
      memo.measure(schema, document, operation, { n }, options);
      memo.authorize(schema, document, undefined, { sub: 'u1', scopes: new Set([`scope-${n}`]) }, noSecurity);
    }
    expect(memo.remembered(document)).toEqual({ measures: 64, authorized: 64 });
  });

  it('computes without remembering a key too long to keep', () => {
    const memo = new OperationMemo();
    memo.authorize(schema, document, undefined, { sub: 'u1', scopes: new Set(Array.from({ length: 500 }, (_, i) => `scope-${i}`)) }, noSecurity);
    expect(memo.remembered(document).authorized).toBe(0);
  });
});
