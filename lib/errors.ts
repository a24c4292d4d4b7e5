import { HeaderMap } from '@apollo/server';
import { GraphQLError, type GraphQLErrorOptions } from 'graphql';

/**
 * Every `extensions.code` the gateway, the subgraphs and the HTTP layer they share put on the wire.
 * The values are a public contract clients branch on: add codes, never change one.
 */
export enum ErrorCode {
  BadRequest = 'BAD_REQUEST',
  BadUserInput = 'BAD_USER_INPUT',
  OperationResolutionFailure = 'OPERATION_RESOLUTION_FAILURE',
  /** Nothing is served at the requested path: HTTP 404. */
  NotFound = 'NOT_FOUND',
  Unauthenticated = 'UNAUTHENTICATED',
  Forbidden = 'FORBIDDEN',
  RateLimited = 'RATE_LIMITED',
  QueryTooComplex = 'QUERY_TOO_COMPLEX',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  SubgraphUnavailable = 'SUBGRAPH_UNAVAILABLE',
  SubgraphTimeout = 'SUBGRAPH_TIMEOUT',
  SubgraphError = 'SUBGRAPH_ERROR',
  InternalServerError = 'INTERNAL_SERVER_ERROR',
  /** The operation's type (a subscription over HTTP, or one the schema lacks) is not served here: HTTP 400. */
  OperationNotSupported = 'OPERATION_NOT_SUPPORTED',
  /** An automatic persisted query whose `sha256Hash` is not the hash of its `query`: HTTP 400. */
  PersistedQueryHashMismatch = 'PERSISTED_QUERY_HASH_MISMATCH',
  /** An automatic persisted query of a version other than 1, or APQ turned off: HTTP 400. */
  PersistedQueryNotSupported = 'PERSISTED_QUERY_NOT_SUPPORTED',
  /** A subgraph could not reach a service it depends on (orders without inventory); retry later. */
  UpstreamFailed = 'UPSTREAM_FAILED',
  /** An idempotency key sent again with a different request than the one it was first used for. */
  IdempotencyKeyReused = 'IDEMPOTENCY_KEY_REUSED',
  /** An order asked for more of a product than is in stock; nothing was reserved. */
  OutOfStock = 'OUT_OF_STOCK',
  /** Only a PLACED order can be cancelled; this one has shipped, been delivered or been cancelled already. */
  OrderNotCancellable = 'ORDER_NOT_CANCELLABLE',
  /** A stock reservation was released; its id never reserves again. Told to the orders service only. */
  ReservationReleased = 'RESERVATION_RELEASED',
  /** A subscriber fell so far behind its events that they no longer fit its buffer; the subscription ended. Subscribe again and re-read the state. */
  SubscriptionBufferOverflow = 'SUBSCRIPTION_BUFFER_OVERFLOW',
  /** Set by Apollo Server for a document that does not parse; named here so code can recognise it. */
  GraphQLParseFailed = 'GRAPHQL_PARSE_FAILED',
  /** Set by Apollo Server for a document the schema does not validate. */
  GraphQLValidationFailed = 'GRAPHQL_VALIDATION_FAILED',
  /** Set by Apollo Server for an automatic persisted query's hash it does not hold yet; the client sends the query. */
  PersistedQueryNotFound = 'PERSISTED_QUERY_NOT_FOUND',
}

/** A GraphQL error with a stable code and, when it changes the HTTP answer, a status. */
export class GraphQLErrorWithCode extends GraphQLError {
  constructor(code: ErrorCode, message: string, options: GraphQLErrorOptions & { status?: number; headers?: Readonly<Record<string, string>> } = {}) {
    const { status, headers, ...rest } = options;
    const http = status === undefined ? {} : { http: { status, ...(headers === undefined ? {} : { headers: new HeaderMap(Object.entries(headers)) }) } };
    super(message, { ...rest, extensions: { ...rest.extensions, code, ...http } });
  }
}

/** Thrown from the default branch of an exhaustive switch. */
export class UnreachableCaseError extends Error {
  constructor(value: never) {
    super(`Unreachable case: ${JSON.stringify(value)}`);
  }
}
