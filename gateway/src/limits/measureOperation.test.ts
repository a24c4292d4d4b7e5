import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { measureOperation } from './measureOperation.js';

const schema = buildSchema(`
  type Review { rating: Int! author: User! product: Product! }
  type User { id: ID! reviews: [Review!]! }
  type Product { upc: String! name: String! reviews(first: Int = 10): [Review!]! }
  type ProductConnection { nodes: [Product!]! }
  type Query { product(upc: String!): Product topProducts(first: Int = 5): [Product!]! products(first: Int = 20): ProductConnection! users: [User!]! }
`);

function measure(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
  return measureOperation(schema, document, operation, variables, 10);
}

describe('measuring an operation before it runs', () => {
  it('counts depth, aliases and root fields', () => {
    expect(measure('{ a: product(upc: "1") { name } b: product(upc: "2") { reviews { author { id } } } }')).toMatchObject({ depth: 4, aliases: 2, rootFields: 2 });
  });

  it('multiplies nested fields by list sizes from arguments, their defaults, variables and connections', () => {
    // 1 (topProducts) + 50 × (name + reviews) + 50 × 10 × rating
    expect(measure('{ topProducts(first: 50) { name reviews { rating } } }').cost).toBe(1 + 100 + 500);
    expect(measure('query($n: Int) { topProducts(first: $n) { name } }', { n: 7 }).cost).toBe(1 + 7);
    expect(measure('{ topProducts { name } }').cost).toBe(1 + 5);
    expect(measure('{ products(first: 40) { nodes { name } } }').cost).toBe(1 + 1 + 40);
    expect(measure('{ users { id } }').cost).toBe(1 + 10);
  });

  it('sees a cost bomb of nested lists for what it is', () => {
    const bomb = '{ users { reviews { product { reviews(first: 100) { author { reviews { product { reviews(first: 100) { rating } } } } } } } } }';
    expect(measure(bomb).cost).toBeGreaterThan(1_000_000);
  });

  it('follows fragments without looping', () => {
    expect(measure('{ product(upc: "1") { ...P } } fragment P on Product { name reviews { rating } }')).toMatchObject({ depth: 3, cost: 1 + 2 + 10 });
  });
});
