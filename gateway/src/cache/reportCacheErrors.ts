import type { Logger } from '../../../lib/logger.js';
import type { GatewayMetrics } from '../observability/GatewayMetrics.js';

/** Counts every failure of a cache store; logs one at most every 10 s, so an outage does not flood the log (the Redis connection logs outages once). */
export function reportCacheErrors(metrics: GatewayMetrics, logger: Logger): (error: unknown) => void {
  let lastLoggedAt = Number.NEGATIVE_INFINITY;
  return (error) => {
    metrics.cacheStoreError();
    if (Date.now() - lastLoggedAt < 10_000) return;
    lastLoggedAt = Date.now();
    logger.warn({ err: error }, 'cache store failed; answering without it');
  };
}
