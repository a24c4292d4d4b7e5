import { GraphQLError } from 'graphql';

/** Error codes subgraphs put in `extensions.code`; the gateway passes them through. */
export enum SubgraphErrorCode {
  BadUserInput = 'BAD_USER_INPUT',
  Forbidden = 'FORBIDDEN',
  /** An idempotency key sent again with a different request than the one it was first used for. */
  IdempotencyKeyReused = 'IDEMPOTENCY_KEY_REUSED',
  NotFound = 'NOT_FOUND',
  OutOfStock = 'OUT_OF_STOCK',
  /** A stock reservation was released; its id never reserves again. */
  ReservationReleased = 'RESERVATION_RELEASED',
  Unauthenticated = 'UNAUTHENTICATED',
  UpstreamFailed = 'UPSTREAM_FAILED',
}

export class SubgraphError extends GraphQLError {
  constructor(code: SubgraphErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
  }
}

/**
 * A field the caller may not read. The field answers null with this error at
 * its path and the rest of the response stands, so it deliberately carries no
 * HTTP status: a 403 from a subgraph would make the gateway drop the whole answer.
 */
export class ForbiddenError extends SubgraphError {
  constructor(message: string) {
    super(SubgraphErrorCode.Forbidden, message);
  }
}

/** The value a batch function returns for a key it found no row for. */
export class NotFoundError extends Error {
  constructor(readonly type: string, readonly key: string) {
    super(`${type} ${key} not found`);
    this.name = 'NotFoundError';
  }
}
