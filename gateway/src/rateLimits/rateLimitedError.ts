import { ErrorCode, GraphQLErrorWithCode } from '../../../lib/errors.js';
import type { RateLimitRejection } from './EdgeRateLimiter.js';

/** What a client sees when a budget runs out: the budget, its size, and when to retry. */
export function rateLimitMessage(rejection: RateLimitRejection): string {
  const what =
    rejection.rule === 'requests' ? 'Too many requests' : rejection.rule === 'cost' ? 'Query cost budget spent' : `Too many calls to ${rejection.rule}`;
  return `${what}: the limit is ${rejection.limit} per ${rejection.windowSeconds} s. Try again in ${rejection.retryAfterSeconds} s.`;
}

/** HTTP 429 with `Retry-After` and `RATE_LIMITED`, thrown before any subgraph is called. */
export function rateLimitedError(rejection: RateLimitRejection): GraphQLErrorWithCode {
  return new GraphQLErrorWithCode(ErrorCode.RateLimited, rateLimitMessage(rejection), {
    status: 429,
    headers: { 'retry-after': String(rejection.retryAfterSeconds) },
    extensions: { rule: rejection.rule, retryAfter: rejection.retryAfterSeconds },
  });
}
