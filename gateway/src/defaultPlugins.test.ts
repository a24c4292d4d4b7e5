import { describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/logger.js';
import { DEFAULT_CACHE_BOUNDS } from './cache/useResponseCache.js';
import { readGatewayConfig } from './config.js';
import { defaultPlugins } from './defaultPlugins.js';
import { DEFAULT_QUERY_LIMITS } from './limits/useQueryLimits.js';
import { GatewayMetrics } from './observability/GatewayMetrics.js';
import { DEFAULT_RATE_LIMITS } from './rateLimits/useRateLimits.js';

const services = (env: NodeJS.ProcessEnv) => ({
  config: readGatewayConfig(env),
  redis: undefined,
  metrics: new GatewayMetrics({ processMetrics: false }),
  logger: createLogger('gateway', 'silent'),
  cacheStoreFailed: () => undefined,
});

describe('the default pipeline', () => {
  it('runs authentication, query limits, authorization, rate limits, sharing and the cache, in that order', () => {
    expect(defaultPlugins(services({})).map((plugin) => plugin.name)).toEqual([
      'jwtAuth',
      'queryLimits',
      'authorization',
      'rateLimits',
      'operationDeduplication',
      'responseCache',
    ]);
  });

  it('leaves out what the settings turn off', () => {
    expect(defaultPlugins(services({ RESPONSE_CACHE: 'off', OPERATION_DEDUPLICATION: 'off' })).map((plugin) => plugin.name)).toEqual([
      'jwtAuth',
      'queryLimits',
      'authorization',
      'rateLimits',
    ]);
  });

  it('a plugin built without options behaves as the gateway does with no settings', () => {
    const { queryLimits, rateLimits, cacheMaxEntries, cacheMaxBytes } = readGatewayConfig({});
    const { tokens: _parsedNotMeasured, ...measured } = queryLimits;
    expect(DEFAULT_QUERY_LIMITS).toEqual(measured);
    expect(DEFAULT_RATE_LIMITS).toEqual(rateLimits);
    expect(DEFAULT_CACHE_BOUNDS).toEqual({ maxEntries: cacheMaxEntries, maxBytes: cacheMaxBytes });
  });
});
