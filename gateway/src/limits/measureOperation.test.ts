import { buildSchema, Kind, parse, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { countingSelectionReads, doublingChain, expandedChainSelections } from '../../../test/support/fragmentChains.js';
import { NO_COST_DIRECTIVES, type CostDirectives } from './costDirectives.js';
import { measureOperation } from './measureOperation.js';

const schema = buildSchema(`
  type Review { rating: Int! author: User! product: Product! }
  type User { id: ID! reviews: [Review!]! }
  type Product { upc: String! name: String! reviews(first: Int = 10): [Review!]! averageRating: Float }
  type ProductConnection { nodes: [Product!]! edges: [Product!]! }
  type Query { product(upc: String!): Product topProducts(first: Int = 5): [Product!]! products(first: Int = 20): ProductConnection! users: [User!]! }
`);

function operationOf(document: DocumentNode): OperationDefinitionNode {
  return document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
}

function measure(query: string | DocumentNode, variables: Record<string, unknown> = {}, costDirectives: CostDirectives = NO_COST_DIRECTIVES) {
  const document = typeof query === 'string' ? parse(query) : query;
  return measureOperation(schema, document, operationOf(document), variables, { defaultListSize: 10, costDirectives });
}

describe('measuring an operation before it runs', () => {
  it('counts depth, aliases, root fields, selections and directives', () => {
    expect(measure('{ a: product(upc: "1") { name @include(if: true) } b: product(upc: "2") { reviews { author { id } } } }')).toMatchObject({
      depth: 4,
      aliases: 2,
      rootFields: 2,
      selections: 6,
      directives: 1,
    });
  });

  it('multiplies nested fields by list sizes from arguments, their defaults, variables and connections', () => {
    // 1 (topProducts) + 50 × (name + reviews) + 50 × 10 × rating
    expect(measure('{ topProducts(first: 50) { name reviews { rating } } }').cost).toBe(1 + 100 + 500);
    expect(measure('query($n: Int) { topProducts(first: $n) { name } }', { n: 7 }).cost).toBe(1 + 7);
    expect(measure('{ topProducts { name } }').cost).toBe(1 + 5);
    expect(measure('{ products(first: 40) { nodes { name } } }').cost).toBe(1 + 1 + 40);
    expect(measure('{ users { id } }').cost).toBe(1 + 10);
  });

  it('measures a variable the request leaves out by its default, as execution will see it', () => {
    const query = 'query($n: Int = 100) { topProducts(first: $n) { reviews(first: $n) { author { reviews { rating } } } } }';
    const withDefault = measure(query);
    expect(withDefault.cost).toBe(measure(query, { n: 100 }).cost);
    expect(withDefault.cost).toBe(1 + 100 * (1 + 100 * (1 + 1 + 10 * 1)));
    // A variable without a default that the request leaves out leaves the argument unset: its own default applies.
    expect(measure('query($n: Int) { topProducts(first: $n) { name } }').cost).toBe(1 + 5);
  });

  it('sees a cost bomb of nested lists for what it is', () => {
    const bomb = '{ users { reviews { product { reviews(first: 100) { author { reviews { product { reviews(first: 100) { rating } } } } } } } } }';
    expect(measure(bomb).cost).toBeGreaterThan(1_000_000);
  });

  it('counts __typename toward aliases and cost, and introspection toward aliases only', () => {
    const typenames = `{ topProducts(first: 10) { ${Array.from({ length: 40 }, (_, i) => `t${i}: __typename`).join(' ')} } }`;
    expect(measure(typenames)).toMatchObject({ aliases: 40, cost: 1 + 10 * 40 });
    const introspection = measure('{ a: __schema { types { fields { type { ofType { name } } } } } b: __type(name: "Query") { name } }');
    expect(introspection).toMatchObject({ aliases: 2, depth: 0, cost: 0, rootFields: 2 });
  });

  it('counts root fields after flattening fragments', () => {
    const spread = `{ ... on Query { ${Array.from({ length: 25 }, (_, i) => `r${i}: topProducts(first: 1) { name }`).join(' ')} } }`;
    expect(measure(spread).rootFields).toBe(25);
    expect(measure('{ ...A ...A } fragment A on Query { topProducts { name } users { id } }').rootFields).toBe(4);
  });

  it('sizes lists with @listSize and weighs fields with @cost', () => {
    const directives: CostDirectives = {
      weights: new Map([['Product.averageRating', 5]]),
      listSizes: new Map([
        ['User.reviews', { assumedSize: 80 }],
        ['Query.products', { slicingArguments: ['first'], sizedFields: ['nodes'] }],
      ]),
    };
    expect(measure('{ users { reviews { rating } } }', {}, directives).cost).toBe(1 + 10 * (1 + 80));
    // `nodes` takes its length from `first`; `edges` is not a sized field, so it gets the default.
    expect(measure('{ products(first: 40) { nodes { name } edges { name } } }', {}, directives).cost).toBe(1 + 1 + 40 + 1 + 10);
    expect(measure('{ topProducts(first: 3) { averageRating } }', {}, directives).cost).toBe(1 + 3 * 5);
  });

  it('counts how deep selection sets nest, inline fragments and spreads included', () => {
    expect(measure(`{ ${'... on Query { '.repeat(1500)}__typename${' }'.repeat(1500)} }`)).toMatchObject({ depth: 1, nesting: 1501 });
    const chain = Array.from({ length: 300 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} }`).join(' ');
    expect(measure(`{ ...F0 } ${chain} fragment F300 on Query { __typename }`)).toMatchObject({ depth: 1, nesting: 302 });
    expect(measure('{ product(upc: "1") { ... on Product { name } } }')).toMatchObject({ depth: 2, nesting: 3 });
  });

  it('follows fragments without looping', () => {
    expect(measure('{ product(upc: "1") { ...P } } fragment P on Product { name reviews { rating } }')).toMatchObject({ depth: 3, cost: 1 + 2 + 10 });
  });

  it('measures a fragment doubling chain in work linear in the document, and counts what it would expand to', () => {
    const steps = 20;
    const chain = countingSelectionReads(doublingChain(steps, 'a: __typename b: __typename'));
    const measured = measure(chain.document);
    expect(chain.reads()).toBeLessThanOrEqual(2 * chain.selectionSets);
    expect(measured.selections).toBe(1 + expandedChainSelections(steps, 2));
    expect(measured.aliases).toBe(2 * 2 ** steps);
    expect(measured.rootFields).toBe(2 * 2 ** steps);
  });

  it('measures a doubling chain of object-type fragments under a list linearly, with the cost it would expand to', () => {
    const steps = 18;
    const chain = countingSelectionReads(doublingChain(steps, 'name', { on: 'Product', root: 'topProducts(first: 3) { ...F0 }' }));
    const measured = measure(chain.document);
    expect(chain.reads()).toBeLessThanOrEqual(2 * chain.selectionSets);
    expect(measured.cost).toBe(1 + 3 * 2 ** steps);
    expect(measured.depth).toBe(2);
  });

  it('stays finite on a chain too long to count', () => {
    const measured = measure(doublingChain(200, 'name', { on: 'Product', root: 'topProducts { ...F0 }' }));
    expect(measured.selections).toBe(1e15);
    expect(measured.cost).toBe(1e15);
  });
});
