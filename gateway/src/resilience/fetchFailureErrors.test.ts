import { describe, expect, it } from 'vitest';
import { errorsAtFetchedFields, MAX_FIELD_ERRORS_PER_FETCH } from './fetchFailureErrors.js';

const down = { message: 'The reviews service is unavailable.', extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'reviews' } };
const at = (path: (string | number)[]) => ({ ...down, path });
const ENTITIES =
  'query Q__reviews__1($representations:[_Any!]!){_entities(representations:$representations){...on Product{averageRating reviews(first:2){rating}}}}';

describe('the errors a failed subgraph fetch leaves in the answer', () => {
  it('names every field the fetch would have filled on every entity', () => {
    const representations = [
      { __typename: 'Product', upc: '1' },
      { __typename: 'Product', upc: '2' },
    ];
    expect(errorsAtFetchedFields(down, { query: ENTITIES, document: undefined, variables: { representations } })).toEqual([
      at(['_entities', 0, 'averageRating']),
      at(['_entities', 0, 'reviews']),
      at(['_entities', 1, 'averageRating']),
      at(['_entities', 1, 'reviews']),
    ]);
  });

  it('gives each entity only the fields of its own type, through named fragments and aliases', () => {
    const query =
      'fragment R on User{reviews{rating}} query Q($representations:[_Any!]!){_entities(representations:$representations){__typename ...on Product{stars:averageRating} ...R}}';
    const representations = [
      { __typename: 'User', id: 'u1' },
      { __typename: 'Product', upc: '1' },
    ];
    expect(errorsAtFetchedFields(down, { query, document: undefined, variables: { representations } })).toEqual([
      at(['_entities', 0, 'reviews']),
      at(['_entities', 1, 'stars']),
    ]);
  });

  it('names the root fields of a root fetch', () => {
    expect(
      errorsAtFetchedFields(down, {
        query: 'query Q__reviews__0{review(id:"r1"){rating} latest:review(id:"r2"){rating} __typename}',
        document: undefined,
        variables: {},
      }),
    ).toEqual([at(['review']), at(['latest'])]);
  });

  it('reports a large fetch with a bounded number of errors, the rest in one error without a path', () => {
    const representations = Array.from({ length: MAX_FIELD_ERRORS_PER_FETCH }, (_, i) => ({ __typename: 'Product', upc: String(i) }));
    const errors = errorsAtFetchedFields(down, { query: ENTITIES, document: undefined, variables: { representations } });
    expect(errors).toHaveLength(MAX_FIELD_ERRORS_PER_FETCH + 1);
    expect(errors?.at(-2)).toEqual(at(['_entities', MAX_FIELD_ERRORS_PER_FETCH / 2 - 1, 'reviews']));
    expect(errors?.at(-1)).toEqual(down);
  });

  it('leaves an error it cannot place to the caller', () => {
    expect(errorsAtFetchedFields(down, { query: 'not graphql {', document: undefined, variables: {} })).toBeUndefined();
    expect(errorsAtFetchedFields(down, { query: ENTITIES, document: undefined, variables: {} })).toBeUndefined();
  });
});
