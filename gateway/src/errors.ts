import { GraphQLError, type GraphQLErrorOptions } from 'graphql';

/** Stable `extensions.code` values clients can branch on. */
export enum ErrorCode {
  BadRequest = 'BAD_REQUEST',
  BadUserInput = 'BAD_USER_INPUT',
  Unauthenticated = 'UNAUTHENTICATED',
  Forbidden = 'FORBIDDEN',
  RateLimited = 'RATE_LIMITED',
  QueryTooComplex = 'QUERY_TOO_COMPLEX',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  SubgraphUnavailable = 'SUBGRAPH_UNAVAILABLE',
  SubgraphError = 'SUBGRAPH_ERROR',
  InternalServerError = 'INTERNAL_SERVER_ERROR',
}

/** A GraphQL error with a stable code and, when it changes the HTTP answer, a status. */
export class GraphQLErrorWithCode extends GraphQLError {
  constructor(code: ErrorCode, message: string, options: GraphQLErrorOptions & { status?: number } = {}) {
    const { status, ...rest } = options;
    super(message, {
      ...rest,
      extensions: { ...rest.extensions, code, ...(status === undefined ? {} : { http: { status } }) },
    });
  }
}

/** Thrown from the default branch of an exhaustive switch. */
export class UnreachableCaseError extends Error {
  constructor(value: never) {
    super(`Unreachable case: ${JSON.stringify(value)}`);
  }
}
