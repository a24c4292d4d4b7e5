import { ErrorCode, GraphQLErrorWithCode } from '../../lib/errors.js';

/**
 * An error a subgraph's resolver throws, with a code the gateway passes through
 * and extensions a client may act on (`argumentName`, `upc`). It carries no HTTP
 * status: a subgraph's answer is one part of the gateway's, which decides the status.
 */
export class SubgraphError extends GraphQLErrorWithCode {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(code, message, { extensions });
  }
}

/**
 * A field the caller may not read. The field answers null with this error at
 * its path and the rest of the response stands, so it deliberately carries no
 * HTTP status: a 403 from a subgraph would make the gateway drop the whole answer.
 */
export class ForbiddenError extends SubgraphError {
  constructor(message: string) {
    super(ErrorCode.Forbidden, message);
  }
}

/** The value a batch function returns for a key it found no row for. */
export class NotFoundError extends Error {
  constructor(
    readonly type: string,
    readonly key: string,
  ) {
    super(`${type} ${key} not found`);
    this.name = 'NotFoundError';
  }
}
