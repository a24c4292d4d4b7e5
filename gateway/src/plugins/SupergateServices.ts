import type { Logger } from '../../../lib/logger.js';
import type { GatewayConfig } from '../config.js';
import type { GatewayMetrics } from '../observability/GatewayMetrics.js';
import type { RedisClient } from '../redis/RedisConnection.js';

/** What one gateway shares with the plugins it is built with. */
export interface SupergateServices {
  /** The gateway's settings. */
  readonly config: GatewayConfig;
  /** The gateway's one Redis client (`REDIS_URL`), connected when the gateway listens; undefined without Redis. */
  readonly redis: RedisClient | undefined;
  /** Prometheus metrics, served at /metrics. */
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  /** Counts a failed cache store operation and logs it, at most once every 10 s. */
  readonly cacheStoreFailed: (error: unknown) => void;
}
