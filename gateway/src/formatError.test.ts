import type { GraphQLFormattedError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lib/errors.js';
import { createFormatError } from './formatError.js';

const sqlError: GraphQLFormattedError = {
  message: 'relation "stock" does not exist',
  path: ['product', 'quantity'],
  extensions: {
    code: 'INTERNAL_SERVER_ERROR',
    serviceName: 'inventory',
    stacktrace: ['error: relation "stock" does not exist', '    at /app/subgraphs/inventory/db.ts:12'],
  },
};
const unreachable: GraphQLFormattedError = {
  message: 'The reviews service is unavailable.',
  extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'reviews', stacktrace: ['FetchError: request to http://10.0.0.7:4004/graphql failed'] },
};

describe('errors leaving the gateway', () => {
  it('in production, hide internal messages, SQL and stack traces behind a generic error', () => {
    const logged: GraphQLFormattedError[] = [];
    const format = createFormatError(true, (error) => logged.push(error));
    expect(format(sqlError)).toEqual({ message: 'Internal server error', path: ['product', 'quantity'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(logged).toEqual([sqlError]);
  });

  it('in production, keep client-safe messages and codes but never a subgraph URL', () => {
    const format = createFormatError(true, () => undefined);
    expect(format(unreachable)).toEqual({
      message: 'The reviews service is unavailable.',
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'reviews' },
    });
    expect(JSON.stringify(format(unreachable))).not.toMatch(/http:|stacktrace/);
  });

  it('in production, keep the extensions the README documents for QUERY_TOO_COMPLEX and RATE_LIMITED', () => {
    const format = createFormatError(true, () => undefined);
    expect(format({ message: 'too costly', extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'cost', max: 50000, stacktrace: ['x'] } })).toEqual({
      message: 'too costly',
      extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'cost', max: 50000 },
    });
    expect(format({ message: 'slow down', extensions: { code: 'RATE_LIMITED', rule: 'cost', retryAfter: 12 } })).toEqual({
      message: 'slow down',
      extensions: { code: 'RATE_LIMITED', rule: 'cost', retryAfter: 12 },
    });
  });

  it('in production, pass on every code a client may act on, a failed upstream of a subgraph included', () => {
    const format = createFormatError(true, () => undefined);
    const codes = [
      ...Object.values(ErrorCode).filter((code) => code !== ErrorCode.InternalServerError),
      'UPSTREAM_FAILED',
      'OUT_OF_STOCK',
      'GRAPHQL_VALIDATION_FAILED',
      'PERSISTED_QUERY_NOT_FOUND',
    ];
    expect(codes.filter((code) => format({ message: 'told to the client', extensions: { code } }).extensions?.['code'] !== code)).toEqual([]);
    expect(format({ message: 'inventory is unavailable', path: ['placeOrder'], extensions: { code: 'UPSTREAM_FAILED', serviceName: 'orders' } })).toEqual({
      message: 'inventory is unavailable',
      path: ['placeOrder'],
      extensions: { code: 'UPSTREAM_FAILED', serviceName: 'orders' },
    });
  });

  it('in development, keep every detail for the developer', () => {
    expect(createFormatError(false, () => undefined)(sqlError)).toBe(sqlError);
  });
});
