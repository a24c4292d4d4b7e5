import { describe, expect, it } from 'vitest';
import { ErrorCode, GraphQLErrorWithCode } from './errors.js';

/** The `extensions.code` values clients have been told about; each must keep its spelling. */
const PUBLISHED_CODES = {
  BadRequest: 'BAD_REQUEST',
  BadUserInput: 'BAD_USER_INPUT',
  OperationResolutionFailure: 'OPERATION_RESOLUTION_FAILURE',
  NotFound: 'NOT_FOUND',
  Unauthenticated: 'UNAUTHENTICATED',
  Forbidden: 'FORBIDDEN',
  RateLimited: 'RATE_LIMITED',
  QueryTooComplex: 'QUERY_TOO_COMPLEX',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  SubgraphUnavailable: 'SUBGRAPH_UNAVAILABLE',
  SubgraphTimeout: 'SUBGRAPH_TIMEOUT',
  SubgraphError: 'SUBGRAPH_ERROR',
  InternalServerError: 'INTERNAL_SERVER_ERROR',
  OperationNotSupported: 'OPERATION_NOT_SUPPORTED',
  PersistedQueryHashMismatch: 'PERSISTED_QUERY_HASH_MISMATCH',
  PersistedQueryNotSupported: 'PERSISTED_QUERY_NOT_SUPPORTED',
  UpstreamFailed: 'UPSTREAM_FAILED',
  IdempotencyKeyReused: 'IDEMPOTENCY_KEY_REUSED',
  OutOfStock: 'OUT_OF_STOCK',
  OrderNotCancellable: 'ORDER_NOT_CANCELLABLE',
  ReservationReleased: 'RESERVATION_RELEASED',
  SubscriptionBufferOverflow: 'SUBSCRIPTION_BUFFER_OVERFLOW',
  GraphQLParseFailed: 'GRAPHQL_PARSE_FAILED',
  GraphQLValidationFailed: 'GRAPHQL_VALIDATION_FAILED',
  PersistedQueryNotFound: 'PERSISTED_QUERY_NOT_FOUND',
};

describe('error codes', () => {
  it('keep every published wire value: codes may be added, never renamed or removed', () => {
    expect(ErrorCode).toMatchObject(PUBLISHED_CODES);
  });

  it('put the code, and the HTTP status when given, in the extensions a client sees', () => {
    const error = new GraphQLErrorWithCode(ErrorCode.RateLimited, 'slow down', { status: 429, headers: { 'retry-after': '3' }, extensions: { rule: 'cost' } });
    expect(error.toJSON()).toEqual({
      message: 'slow down',
      extensions: { rule: 'cost', code: 'RATE_LIMITED', http: { status: 429, headers: expect.anything() } },
    });
    expect(new GraphQLErrorWithCode(ErrorCode.OutOfStock, 'none left').toJSON()).toEqual({ message: 'none left', extensions: { code: 'OUT_OF_STOCK' } });
  });
});
