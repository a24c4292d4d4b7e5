import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { ApolloGateway } from '@apollo/gateway';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { readCostDirectives } from './costDirectives.js';

const supergraph = readFileSync(new URL('../../../schema/supergraph.graphql', import.meta.url), 'utf8');

describe('@cost and @listSize from the supergraph', () => {
  it('size the shop lists that take no size argument, and weigh its aggregates', () => {
    const { weights, listSizes } = readCostDirectives(supergraph);
    expect(listSizes.get('User.reviews')).toEqual({ assumedSize: 100, slicingArguments: undefined, sizedFields: undefined });
    expect(listSizes.get('Query.products')).toMatchObject({ slicingArguments: ['first'], sizedFields: ['edges', 'nodes'] });
    expect(listSizes.get('Order.items')).toMatchObject({ assumedSize: 50 });
    expect(weights.get('Product.averageRating')).toBe(5);
  });

  it('are carried by composition from federation v2.9 imports, renamed or not, and the gateway still loads the result', async () => {
    const typeDefs = parse(`
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", { name: "@cost", as: "@weight" }, "@listSize"])
      type Item @key(fields: "id") @weight(weight: 3) { id: ID! tags: [String!]! @listSize(assumedSize: 7) }
      type Query { items(limit: Int): [Item!]! @listSize(slicingArguments: ["limit"]) @weight(weight: 2) }
    `);
    const composed = composeServices([{ name: 'items', url: 'http://items.invalid/graphql', typeDefs }]);
    expect(composed.errors).toBeUndefined();
    const { weights, listSizes } = readCostDirectives(composed.supergraphSdl!);
    expect(Object.fromEntries(weights)).toEqual({ Item: 3, 'Query.items': 2 });
    expect(listSizes.get('Item.tags')).toMatchObject({ assumedSize: 7 });
    const gateway = new ApolloGateway({ supergraphSdl: composed.supergraphSdl! });
    await expect(gateway.load()).resolves.toBeDefined();
    await gateway.stop();
  });

  it('are absent from a supergraph that does not link the cost spec', () => {
    expect(
      readCostDirectives('type Query { a: [Int] @listSize(assumedSize: 1) } directive @listSize(assumedSize: Int) on FIELD_DEFINITION').listSizes.size,
    ).toBe(0);
  });
});
