/**
 * Every gateway setting by its environment variable. The config file holds the
 * same settings, each under its variable's name in camelCase (`fileKeyOf`), except
 * `SUBGRAPH_<NAME>_URL`, which the file holds as one `subgraphUrls` map by subgraph
 * name. `test/configDocs.test.ts` checks the list against what `config.ts` reads.
 */
export const GATEWAY_VARIABLES = [
  'NODE_ENV',
  'PORT',
  'HOST',
  'SUPERGRAPH_PATH',
  'MAX_BODY_BYTES',
  'JWT_SECRET',
  'JWT_PUBLIC_KEY',
  'JWKS_URL',
  'JWKS_CACHE_MAX_AGE_MS',
  'JWT_REQUIRE_EXP',
  'JWT_ISSUER',
  'GATEWAY_SIGNING_KEY',
  'GATEWAY_SECRET',
  'JWT_AUDIENCE',
  'REDIS_URL',
  'RESPONSE_CACHE',
  'CACHE_MAX_ENTRIES',
  'CACHE_MAX_BYTES',
  'RATE_LIMIT_REQUESTS',
  'RATE_LIMIT_WINDOW_SECONDS',
  'RATE_LIMIT_COST_PER_WINDOW',
  'QUERY_MAX_TOKENS',
  'QUERY_MAX_DIRECTIVES',
  'QUERY_MAX_SELECTIONS',
  'QUERY_MAX_DEPTH',
  'QUERY_MAX_ALIASES',
  'QUERY_MAX_ROOT_FIELDS',
  'QUERY_MAX_COST',
  'QUERY_DEFAULT_LIST_SIZE',
  'CORS_ORIGINS',
  'FORWARD_HEADERS',
  'SUBGRAPH_TIMEOUT_MS',
  'SUBGRAPH_BREAKER_THRESHOLD',
  'SUBGRAPH_BREAKER_COOLDOWN_MS',
  'SUBGRAPH_MAX_CONNECTIONS',
  'OPERATION_DEDUPLICATION',
  'SUBGRAPH_DEDUPLICATION',
  'SUBSCRIPTIONS_MAX_PER_CONNECTION',
  'SUBSCRIPTIONS_MAX_PER_CALLER',
  'SUBSCRIPTIONS_MAX',
  'SUBSCRIPTION_BUFFER_EVENTS',
  'SHUTDOWN_GRACE_MS',
  'GATEWAY_WORKERS',
  'LOG_LEVEL',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_SERVICE_NAME',
  'TRUST_PROXY_HOPS',
  'METRICS_PORT',
  'METRICS_HOST',
  'REQUEST_TIMEOUT_MS',
  'HEADERS_TIMEOUT_MS',
  'MAX_CONNECTIONS',
  'DOCUMENT_CACHE_MAX_BYTES',
  'QUERY_PLAN_CACHE_MAX_BYTES',
  'QUERY_PLAN_EXECUTOR',
] as const;

/** The config file's map of routing URL overrides by subgraph name (`SUBGRAPH_<NAME>_URL`). */
export const SUBGRAPH_URLS_KEY = 'subgraphUrls';

/** `QUERY_MAX_DEPTH` → `queryMaxDepth`. */
export function fileKeyOf(variable: string): string {
  return variable.toLowerCase().replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

/**
 * How a subgraph's name appears in `SUBGRAPH_<NAME>_URL`: upper case, anything but a
 * letter or digit as `_` (`inventory-service` → `INVENTORY_SERVICE`).
 */
export function subgraphVariablePart(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** The variable that overrides subgraph `name`'s routing URL. */
export function subgraphUrlVariable(name: string): string {
  return `SUBGRAPH_${subgraphVariablePart(name)}_URL`;
}
