import { ErrorCode, GraphQLErrorWithCode, UnreachableCaseError } from '../../../lib/errors.js';
import { classifyFailure, type SubgraphFailure } from './retryPolicy.js';

/** A failed call, remembering how it failed for the retry and the breaker. */
class SubgraphCallError extends GraphQLErrorWithCode {
  constructor(
    readonly failure: SubgraphFailure,
    code: ErrorCode,
    message: string,
    serviceName: string,
    originalError: Error,
  ) {
    super(code, message, { extensions: { serviceName }, originalError });
  }
}

/**
 * What a client is told of a subgraph call that failed with `error` (and the HTTP
 * `status`, if an answer came): a stable code and the service's name, never its
 * URL or response body.
 */
export function subgraphCallError(serviceName: string, error: unknown, status: number | undefined): GraphQLErrorWithCode {
  const cause = error instanceof Error ? error : new Error(String(error));
  const failure = classifyFailure(error, status);
  switch (failure) {
    case 'timeout':
      return new SubgraphCallError(failure, ErrorCode.SubgraphTimeout, `The ${serviceName} service did not answer in time.`, serviceName, cause);
    case 'unreachable':
      return new SubgraphCallError(failure, ErrorCode.SubgraphUnavailable, `The ${serviceName} service is unavailable.`, serviceName, cause);
    case 'answered':
      if (status === 401 || status === 403) {
        return new SubgraphCallError(failure, ErrorCode.SubgraphError, `The ${serviceName} service refused the gateway's request.`, serviceName, cause);
      }
      return new SubgraphCallError(failure, ErrorCode.SubgraphError, `The ${serviceName} service failed (HTTP ${String(status)}).`, serviceName, cause);
    default:
      throw new UnreachableCaseError(failure);
  }
}

/** The error a call refused by the subgraph's open circuit fails with, without touching the network. */
export function circuitOpenError(serviceName: string): GraphQLErrorWithCode {
  return new GraphQLErrorWithCode(ErrorCode.SubgraphUnavailable, `The ${serviceName} service is unavailable.`, { extensions: { serviceName } });
}

/** How a call failed; anything but a classified failure of the call itself (a timeout, an unreachable subgraph, an error answer) counts as answered. */
export function failureOf(error: unknown): SubgraphFailure {
  return error instanceof SubgraphCallError ? error.failure : 'answered';
}
