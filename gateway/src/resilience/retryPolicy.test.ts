import { describe, expect, it } from 'vitest';
import { classifyFailure, mayRetry, operationTypeOf, RETRY_BASE_DELAY_MS, retryDelayMs } from './retryPolicy.js';

const timeout = Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });

describe('retry policy for subgraph calls', () => {
  it.each([
    ['a timeout, even after the status arrived', timeout, 200, 'timeout'],
    ['no connection', new TypeError('fetch failed'), undefined, 'unreachable'],
    ['502 from a proxy', new Error('502'), 502, 'unreachable'],
    ['503', new Error('503'), 503, 'unreachable'],
    ['504', new Error('504'), 504, 'unreachable'],
    ['500 from the subgraph', new Error('500'), 500, 'answered'],
    ['400 from the subgraph', new Error('400'), 400, 'answered'],
    ['a body that is not JSON', new SyntaxError('Unexpected token'), 200, 'answered'],
  ] as const)('sorts %s as %s', (_case, error, status, failure) => {
    expect(classifyFailure(error, status)).toBe(failure);
  });

  it('retries a query once when the subgraph could not be reached or timed out', () => {
    const query = 'query Q__products__0{topProducts{upc}}';
    expect(mayRetry(query, 'unreachable', 1)).toBe(true);
    expect(mayRetry(query, 'timeout', 1)).toBe(true);
    expect(mayRetry(query, 'unreachable', 2)).toBe(false);
    expect(mayRetry(query, 'answered', 1)).toBe(false);
  });

  it('never retries a mutation, which may already have been applied', () => {
    expect(mayRetry('mutation M__orders__0($upc:String!){placeOrder(upc:$upc){id}}', 'timeout', 1)).toBe(false);
    expect(mayRetry('mutation M__orders__0($upc:String!){placeOrder(upc:$upc){id}}', 'unreachable', 1)).toBe(false);
  });

  it('reads the operation type past the fragments the planner puts first', () => {
    expect(operationTypeOf('fragment P on Product{upc}\n\nquery Q__products__0{topProducts{...P}}')).toBe('query');
    expect(operationTypeOf('fragment P on Product{upc}\n\nmutation M__products__0{add{...P}}')).toBe('mutation');
    expect(operationTypeOf('{topProducts{upc}}')).toBe('query');
    expect(operationTypeOf('query Q($representations:[_Any!]!){_entities(representations:$representations){__typename}}')).toBe('query');
  });

  it('treats a document it cannot read as not retryable', () => {
    expect(operationTypeOf('not graphql {')).toBeUndefined();
    expect(mayRetry('not graphql {', 'unreachable', 1)).toBe(false);
    expect(mayRetry('query A{a} query B{b}', 'unreachable', 1)).toBe(false);
  });

  it('backs off exponentially with full jitter: anywhere from no wait to the doubling ceiling, capped at a second', () => {
    expect([retryDelayMs(1, () => 0), retryDelayMs(1, () => 0.5), retryDelayMs(1, () => 0.999)]).toEqual([0, RETRY_BASE_DELAY_MS / 2, RETRY_BASE_DELAY_MS - 1]);
    expect(retryDelayMs(2, () => 0.999)).toBe(2 * RETRY_BASE_DELAY_MS - 1);
    expect(retryDelayMs(3, () => 0.5)).toBe(2 * RETRY_BASE_DELAY_MS);
    expect(retryDelayMs(20, () => 0.999)).toBe(999);
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(1)));
    expect(delays.size).toBeGreaterThan(5);
    expect([...delays].every((delay) => delay >= 0 && delay < RETRY_BASE_DELAY_MS)).toBe(true);
  });
});
