import { GatewayTokenVerifier } from '../../lib/GatewayTokenVerifier.js';
import type { VouchedIdentity } from '../../lib/gatewayToken.js';
import { useJwtAuth } from './auth/useJwtAuth.js';
import type { GatewayConfig } from './config.js';
import { useAuthorization } from './authorization/useAuthorization.js';
import { useResponseCache } from './cache/useResponseCache.js';
import { useOperationDeduplication } from './execution/useOperationDeduplication.js';
import { useQueryLimits } from './limits/useQueryLimits.js';
import type { SupergatePlugin } from './plugins/SupergatePlugin.js';
import type { SupergateServices } from './plugins/SupergateServices.js';
import { useRateLimits } from './rateLimits/useRateLimits.js';

/**
 * The gateway's edge pipeline, built from its settings. The order is the
 * order hooks run in, within each kind:
 * - request hooks: who is calling (401 on a bad token), then the request budget (429);
 * - operation hooks, all before any plan or subgraph call: query limits (400),
 *   then authorization (removes what the caller may not read), then the cost
 *   and `@rateLimit` budgets of what is left (429);
 * - execution wrappers, outermost first: identical queries in flight share one
 *   execution, and the response cache answers inside it.
 */
export function defaultPlugins({ config, redis, metrics, logger, cacheStoreFailed }: SupergateServices): SupergatePlugin[] {
  const jwtAuth = useJwtAuth({
    keys: config.jwtKeys,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    requireExp: config.jwtRequireExp,
    jwksCacheMaxAgeMs: config.jwksCacheMaxAgeMs,
  });
  return [
    jwtAuth,
    useQueryLimits(config.queryLimits),
    useAuthorization(),
    useRateLimits({ ...config.rateLimits, redis, onRejection: (rule) => metrics.rateLimitRejection(rule) }),
    ...(config.deduplicateOperations ? [useOperationDeduplication({ onShared: () => metrics.sharedOperation() })] : []),
    ...(config.responseCache
      ? [
          useResponseCache({
            redis,
            maxEntries: config.cacheMaxEntries,
            maxBytes: config.cacheMaxBytes,
            authenticate: jwtAuth.authenticate,
            verifyService: serviceVerifier(config),
            log: (level, message) => logger[level](message),
            maxBodyBytes: config.maxBodyBytes,
            onError: cacheStoreFailed,
            onLookup: (outcome) => metrics.cacheLookup(outcome),
            onPurge: (entries) => metrics.cacheInvalidation(entries),
          }),
        ]
      : []),
  ];
}

/** Checks a service's own token: one whose public key the gateway holds (`SERVICE_<NAME>_PUBLIC_KEY`), or the shared secret the gateway signs with. */
function serviceVerifier(config: GatewayConfig): (token: string) => Promise<VouchedIdentity | null> {
  const verifier = new GatewayTokenVerifier({
    gatewayPublicKey: undefined,
    gatewayJwksUrl: undefined,
    serviceKeys: config.serviceKeys,
    sharedSecret: config.gatewaySigningKey.kind === 'secret' ? config.gatewaySigningKey : undefined,
    jwksCacheMaxAgeMs: config.jwksCacheMaxAgeMs,
  });
  return (token) => verifier.verify(token);
}
