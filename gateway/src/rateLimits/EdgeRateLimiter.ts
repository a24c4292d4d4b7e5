import { millisecondsToSeconds, type RateLimitArgs } from 'graphql-rate-limit-directive';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimitSettings } from '../config.js';
import type { RedisClient } from '../redis/RedisConnection.js';

/** Why a caller was turned away, and when to come back. */
export interface RateLimitRejection {
  /** The budget that ran out: `requests`, `cost`, or a field coordinate such as `Mutation.addReview`. */
  readonly rule: string;
  readonly limit: number;
  readonly windowSeconds: number;
  readonly retryAfterSeconds: number;
}

export interface EdgeRateLimiterOptions {
  readonly settings: RateLimitSettings;
  /** Shared counters; without it each process counts on its own. */
  readonly redis?: RedisClient | undefined;
}

/**
 * Per-caller budgets: requests per window, estimated cost per window, and each
 * `@rateLimit` field's own limit. Counters live in Redis so every replica
 * shares them; while Redis is unreachable an in-memory insurance limiter
 * keeps every process within its limits on its own.
 */
export class EdgeRateLimiter {
  private readonly limiters = new Map<string, RateLimiterAbstract>();

  constructor(private readonly options: EdgeRateLimiterOptions) {}

  /** Spends one request from the caller's request budget. */
  async spendRequest(caller: string): Promise<RateLimitRejection | null> {
    const { requests, windowSeconds } = this.options.settings;
    return this.spend('requests', requests, windowSeconds, caller, 1);
  }

  /**
   * Spends an operation's estimated cost and one use of each rate-limited field
   * it selects (a field selected twice, under aliases, counts twice).
   */
  async spendOperation(
    caller: string,
    cost: number,
    fields: ReadonlyMap<string, { readonly limit: RateLimitArgs; readonly uses: number }>,
  ): Promise<RateLimitRejection | null> {
    for (const [coordinate, { limit, uses }] of fields) {
      // Keys follow graphql-rate-limit-directive's convention: one limiter per limit/duration, keyed by caller and coordinate.
      const rejection = await this.spend(
        `rateLimit:${limit.limit}/${limit.duration}s`,
        limit.limit,
        limit.duration,
        `${caller}:${coordinate}`,
        uses,
        coordinate,
      );
      if (rejection !== null) return rejection;
    }
    if (cost <= 0) return null;
    const { costPerWindow, windowSeconds } = this.options.settings;
    return this.spend('cost', costPerWindow, windowSeconds, caller, Math.ceil(cost));
  }

  private async spend(name: string, points: number, duration: number, key: string, uses: number, rule = name): Promise<RateLimitRejection | null> {
    try {
      await this.limiter(name, points, duration).consume(key, uses);
      return null;
    } catch (outcome) {
      if (!(outcome instanceof RateLimiterRes)) throw outcome;
      return { rule, limit: points, windowSeconds: duration, retryAfterSeconds: Math.max(1, millisecondsToSeconds(outcome.msBeforeNext)) };
    }
  }

  private limiter(name: string, points: number, duration: number): RateLimiterAbstract {
    const id = `${name}:${points}/${duration}`;
    let limiter = this.limiters.get(id);
    if (limiter === undefined) {
      const keyPrefix = `supergate:${name}`;
      const memory = new RateLimiterMemory({ keyPrefix, points, duration });
      const redis = this.options.redis;
      limiter =
        redis === undefined
          ? memory
          : new RateLimiterRedis({ storeClient: redis, useRedisPackage: true, keyPrefix, points, duration, insuranceLimiter: memory });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }
}

/** The key a caller's counters live under: the verified user, else the client address. */
export function callerKey(sub: string | undefined, clientAddress: string): string {
  return sub === undefined ? `ip:${clientAddress}` : `user:${sub}`;
}
