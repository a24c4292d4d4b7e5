import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { countingSelectionReads, doublingChain } from '../../../test/support/fragmentChains.js';
import { rateLimitedFields } from './rateLimitedFields.js';

const schema = buildSchema(`
  type Review { id: ID! }
  type Query { review(id: ID!): Review }
  type Mutation { addReview(body: String!): Review! placeOrder: ID! }
`);
const limits = new Map([
  ['Mutation.addReview', { limit: 5, duration: 60 }],
  ['Mutation.placeOrder', { limit: 10, duration: 60 }],
]);

describe('the rate-limited fields an operation selects', () => {
  it('counts each use, a fragment once per place it is spread', () => {
    const document = parse('mutation { a: addReview(body: "x") { id } ...Twice ...Twice } fragment Twice on Mutation { b: addReview(body: "y") { id } }');
    expect(Object.fromEntries(rateLimitedFields(schema, document, undefined, limits))).toEqual({
      'Mutation.addReview': { limit: { limit: 5, duration: 60 }, uses: 3 },
    });
  });

  it('counts only the operation that runs, not every operation in the document', () => {
    const document = parse('mutation Review { addReview(body: "x") { id } } mutation Order { placeOrder }');
    expect([...rateLimitedFields(schema, document, 'Order', limits).keys()]).toEqual(['Mutation.placeOrder']);
    expect([...rateLimitedFields(schema, document, 'Review', limits).keys()]).toEqual(['Mutation.addReview']);
  });

  it('counts a doubling chain in linear work, with the uses it would expand to', () => {
    const steps = 20;
    const chain = countingSelectionReads(doublingChain(steps, 'addReview(body: "x") { id }', { on: 'Mutation' }).replace('query Chain', 'mutation Chain'));
    const found = rateLimitedFields(schema, chain.document, undefined, limits);
    expect(chain.reads()).toBeLessThanOrEqual(2 * chain.selectionSets);
    expect(found.get('Mutation.addReview')?.uses).toBe(2 ** steps);
  });
});
