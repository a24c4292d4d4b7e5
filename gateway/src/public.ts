/**
 * Supergate's public API: `import { createSupergate, useJwtAuth, ... } from 'supergate'`.
 * Everything not exported here is internal and may change in any release.
 */
export { createSupergate } from './supergate.js';
export type { ListenOptions, PluginsContext, Supergate, SupergateOptions } from './supergate.js';
export { defaultPlugins } from './defaultPlugins.js';
export { readGatewayConfig } from './config.js';
export type { GatewayConfig, QueryLimits, RateLimitSettings } from './config.js';

export { SupergateError } from './plugins/SupergateError.js';
export type { SupergateErrorOptions } from './plugins/SupergateError.js';
export type {
  ExecuteOperation,
  LoadedSupergraph,
  RouteHandler,
  SupergateOperation,
  SupergatePlugin,
  SupergateRequest,
  SupergateResponse,
} from './plugins/SupergatePlugin.js';
export type { SupergateServices } from './plugins/SupergateServices.js';
export type { GatewayContext } from './context.js';
export type { Viewer } from './auth/Viewer.js';
export type { GatewayExecutionResult, GatewayRequestContext } from './execution/executorTypes.js';

export { useJwtAuth } from './auth/useJwtAuth.js';
export type { JwtAuthOptions, JwtAuthPlugin } from './auth/useJwtAuth.js';
export { useQueryLimits, DEFAULT_QUERY_LIMITS } from './limits/useQueryLimits.js';
export type { QueryLimitsOptions } from './limits/useQueryLimits.js';
export { useAuthorization } from './authorization/useAuthorization.js';
export { useRateLimits, DEFAULT_RATE_LIMITS } from './rateLimits/useRateLimits.js';
export type { RateLimitsOptions } from './rateLimits/useRateLimits.js';
export { useOperationDeduplication } from './execution/useOperationDeduplication.js';
export type { OperationDeduplicationOptions } from './execution/useOperationDeduplication.js';
export { useResponseCache } from './cache/useResponseCache.js';
export type { ResponseCacheOptions } from './cache/useResponseCache.js';
