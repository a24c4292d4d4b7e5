import type { RateLimitArgs } from 'graphql-rate-limit-directive';
import { HttpError } from '../../../lib/http/HttpError.js';
import type { RateLimitSettings } from '../config.js';
import { ErrorCode } from '../../../lib/errors.js';
import { OperationMemo } from '../OperationMemo.js';
import type { SupergatePlugin } from '../plugins/SupergatePlugin.js';
import type { RedisClient } from '../redis/RedisConnection.js';
import { EdgeRateLimiter } from './EdgeRateLimiter.js';
import { rateLimitedError, rateLimitMessage } from './rateLimitedError.js';

export interface RateLimitsOptions {
  /** Requests per caller per window. @default 600 */
  readonly requests?: number;
  /** Window length in seconds for the request and cost budgets. @default 60 */
  readonly windowSeconds?: number;
  /** Estimated cost per caller per window. @default 1000000 */
  readonly costPerWindow?: number;
  /** Where the counters live, shared by every replica; while it is away each process counts on its own. @default process memory */
  readonly redis?: RedisClient | undefined;
  /** Told each refusal, by the budget that ran out: `requests`, `cost` or a field coordinate. @default nothing */
  readonly onRejection?: ((rule: string) => void) | undefined;
}

/** The defaults of `RateLimitsOptions`, which are also those of the `RATE_LIMIT_*` settings. */
export const DEFAULT_RATE_LIMITS: RateLimitSettings = Object.freeze({ requests: 600, windowSeconds: 60, costPerWindow: 1_000_000 });

/**
 * Per-caller budgets (the verified user, else the client address), each
 * refusal an HTTP 429 with `RATE_LIMITED` and `Retry-After`: every request
 * spends one from the request budget; every operation spends the cost
 * `useQueryLimits` measured and one use of each `@rateLimit` field it selects
 * once authorization has removed what the caller may not read. Each request
 * spends its own budgets, whether it then joins a shared execution or is
 * answered from the cache.
 */
export function useRateLimits(options: RateLimitsOptions = {}): SupergatePlugin {
  const { redis, onRejection } = options;
  const limiter = new EdgeRateLimiter({
    settings: {
      requests: options.requests ?? DEFAULT_RATE_LIMITS.requests,
      windowSeconds: options.windowSeconds ?? DEFAULT_RATE_LIMITS.windowSeconds,
      costPerWindow: options.costPerWindow ?? DEFAULT_RATE_LIMITS.costPerWindow,
    },
    redis,
  });
  const memo = new OperationMemo();
  let fieldRateLimits: ReadonlyMap<string, RateLimitArgs> | undefined;
  return {
    name: 'rateLimits',
    // The request budget is the verified caller's; the operation budgets are spent on what will run, once it is known to fit the limits.
    after: ['jwtAuth', 'queryLimits', 'authorization'],
    onSupergraph(supergraph) {
      fieldRateLimits = supergraph.fieldRateLimits;
      memo.forget();
    },
    async onRequest(request) {
      const rejection = await limiter.spendRequest(request.caller);
      if (rejection === null) return;
      onRejection?.(rejection.rule);
      throw new HttpError(429, ErrorCode.RateLimited, rateLimitMessage(rejection), { 'retry-after': String(rejection.retryAfterSeconds) });
    },
    async onOperation(operation) {
      if (fieldRateLimits === undefined) throw new Error('useRateLimits: no supergraph loaded');
      const { schema, document, operationName } = operation;
      const rejection = await limiter.spendOperation(
        operation.context.caller,
        operation.cost ?? 0,
        memo.limitedFields(schema, document, document, operationName, fieldRateLimits),
      );
      if (rejection === null) return;
      onRejection?.(rejection.rule);
      throw rateLimitedError(rejection);
    },
  };
}
