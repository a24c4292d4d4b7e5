import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { stringifyResult, type ResultToStringify } from './stringifyResult.js';

describe('stringifyResult', () => {
  const data = { user: { id: '1', name: 'Ada "the first"', tags: ['a', null], nested: { n: 1.5, b: false } } };
  const error = new GraphQLError('not allowed', { path: ['user', 'email'], extensions: { code: 'FORBIDDEN' } }).toJSON();

  it.each<[string, ResultToStringify]>([
    ['data only', { data }],
    ['errors and data', { errors: [error], data }],
    ['data and extensions', { data, extensions: { valueCompletion: [{ message: 'x' }] } }],
    ['all three', { errors: [error], data, extensions: { a: 1 } }],
    ['null data', { errors: [error], data: null }],
    ['no data', { errors: [error] }],
    ['undefined fields', { errors: undefined, data, extensions: undefined }],
  ])('writes exactly what JSON.stringify writes: %s', (_name, value) => {
    expect(stringifyResult(value)).toBe(`${JSON.stringify(value)}\n`);
  });

  it('walks a data object once however many answers carry it', () => {
    let reads = 0;
    const shared = Object.defineProperty({}, 'products', {
      enumerable: true,
      get() {
        reads += 1;
        return [{ upc: '1' }];
      },
    });
    const first = stringifyResult({ data: shared });
    const second = stringifyResult({ errors: [error], data: shared });
    expect(reads).toBe(1);
    expect(first).toBe('{"data":{"products":[{"upc":"1"}]}}\n');
    expect(second).toBe(`{"errors":[${JSON.stringify(error)}],"data":{"products":[{"upc":"1"}]}}\n`);
  });
});
