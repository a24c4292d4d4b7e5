import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../lib/ConfigError.js';
import { developmentGatewaySecret, GATEWAY_TOKEN_HEADER, readGatewaySecret } from '../../lib/gatewayToken.js';
import { readClientConnectionLimits, type ClientConnectionLimits } from '../../lib/http/clientConnectionLimits.js';
import type { KeyObject } from 'node:crypto';
import { readPrivateKey, readPublicKey, type SigningKey } from '../../lib/identityKeys.js';
import { readLogLevel, type LogLevel } from '../../lib/logger.js';
import { DEFAULT_JWKS_CACHE_MAX_AGE_MS } from '../../lib/remoteKeySet.js';
import type { VerificationKeySource } from './auth/TokenVerifier.js';
import { fileSettings } from './configFile/fileSettings.js';
import { readConfigFile, type NamedConfigFile } from './configFile/readConfigFile.js';
import { subgraphVariablePart } from './configFile/settingNames.js';

/** The gateway's settings, read once from the environment at start-up. */
export interface GatewayConfig {
  /** Production mode: errors masked, stack traces never sent. Env `NODE_ENV=production`. @default false */
  readonly production: boolean;
  /** Port for HTTP. Env `PORT`; 0 picks a free port. @default 4000 */
  readonly port: number;
  /** Interface to bind. Env `HOST`. @default '127.0.0.1' */
  readonly host: string;
  /** Composed supergraph SDL file. Env `SUPERGRAPH_PATH`. @default 'schema/supergraph.graphql' */
  readonly supergraphPath: string;
  /** Routing URL overrides by subgraph name in lower case, anything but letters and digits as `_` (`subgraphUrlOverride` looks one up). Env `SUBGRAPH_<NAME>_URL`. @default {} (the supergraph's URLs) */
  readonly subgraphUrls: Readonly<Record<string, string>>;
  /** Largest accepted request body in bytes. Env `MAX_BODY_BYTES`. @default 1048576 */
  readonly maxBodyBytes: number;
  /** How bearer tokens are verified. Env `JWT_SECRET` | `JWT_PUBLIC_KEY` | `JWKS_URL`. @default a development secret, outside production only */
  readonly jwtKeys: VerificationKeySource;
  /** True when `jwtKeys` is the built-in development secret. */
  readonly jwtDevelopmentSecret: boolean;
  /** Signs the caller's identity for the subgraphs: an EC P-256 key pair (Env `GATEWAY_SIGNING_KEY`), or outside production the shared `GATEWAY_SECRET`. @default the development secret, outside production only */
  readonly gatewaySigningKey: SigningKey;
  /** Services whose own signed calls the gateway accepts on `POST /cache/invalidate`, by name. Env `SERVICE_<NAME>_PUBLIC_KEY`; with a shared secret (`GATEWAY_SECRET`, development) its holders too. @default none */
  readonly serviceKeys: ReadonlyMap<string, KeyObject>;
  /** Refuse bearer tokens without `exp`. Env `JWT_REQUIRE_EXP` (`on`/`off`). @default true in production, false otherwise */
  readonly jwtRequireExp: boolean;
  /** How long a key set fetched from `JWKS_URL` is used before it is fetched again. Env `JWKS_CACHE_MAX_AGE_MS`. @default 600000 */
  readonly jwksCacheMaxAgeMs: number;
  /** Required `iss` claim. Env `JWT_ISSUER`. @default undefined (not checked) */
  readonly jwtIssuer: string | undefined;
  /** Required `aud` claim. Env `JWT_AUDIENCE`. @default undefined (not checked) */
  readonly jwtAudience: string | undefined;
  /** Shared state (rate-limit counters, cache, persisted queries). Env `REDIS_URL`. @default undefined (in process memory) */
  readonly redisUrl: string | undefined;
  /** Whole-response cache driven by the subgraphs' cache hints. Env `RESPONSE_CACHE` (`on`/`off`). @default true */
  readonly responseCache: boolean;
  /** Identical queries in flight at once (same operation, variables, caller, scopes and forwarded headers) share one execution. Env `OPERATION_DEDUPLICATION` (`on`/`off`). @default true */
  readonly deduplicateOperations: boolean;
  /** Most cached answers (and persisted queries) kept in process memory when there is no Redis. Env `CACHE_MAX_ENTRIES`. @default 10000 */
  readonly cacheMaxEntries: number;
  /** Bytes each in-memory store (cached answers, persisted queries) may hold when there is no Redis. Env `CACHE_MAX_BYTES`. @default 67108864 (64 MiB) */
  readonly cacheMaxBytes: number;
  /** Per-caller limits over one window. */
  readonly rateLimits: RateLimitSettings;
  /** Largest operation accepted, measured before planning. */
  readonly queryLimits: QueryLimits;
  /** Browser origins allowed to call the gateway (CORS). Env `CORS_ORIGINS`, comma-separated, `*` for any. @default Apollo Sandbox and localhost in development; none in production */
  readonly corsOrigins: readonly string[];
  /** Client headers passed on to subgraphs. Env `FORWARD_HEADERS`, comma-separated. @default ['accept-language'] */
  readonly forwardHeaders: readonly string[];
  /** Proxies in front of the gateway whose `X-Forwarded-For` entry is trusted for the client address. Env `TRUST_PROXY_HOPS`. @default 0 */
  readonly trustProxyHops: number;
  /** How the gateway calls subgraphs: timeout, circuit breaker, connection pool. */
  readonly subgraphCalls: SubgraphCallSettings;
  /** Subscriptions: how many may run, and how far a slow consumer may fall behind. */
  readonly subscriptions: SubscriptionSettings;
  /** Longest wait after SIGTERM for requests in flight before their connections are cut. Env `SHUTDOWN_GRACE_MS`. @default 10000 */
  readonly shutdownGraceMs: number;
  /** Gateway processes sharing the port (node:cluster); the primary restarts one that crashes. More than one needs `REDIS_URL`, or each would keep its own cache and counters. Env `GATEWAY_WORKERS`. @default 1 (containers scale with replicas) */
  readonly workers: number;
  /** Logs and traces. */
  readonly observability: ObservabilitySettings;
  /** Port of the Prometheus `/metrics` server, apart from the GraphQL port; 0 picks a free port. Env `METRICS_PORT`. @default 9464 */
  readonly metricsPort: number;
  /** Interface the metrics server binds. Env `METRICS_HOST`. @default '127.0.0.1' */
  readonly metricsHost: string;
  /** How long slow clients may hold a connection, and how many may. Env `REQUEST_TIMEOUT_MS`, `HEADERS_TIMEOUT_MS`, `MAX_CONNECTIONS`. @default 30000 ms, 10000 ms, 10000 */
  readonly clientConnections: ClientConnectionLimits;
  /** Bytes of parsed and validated documents Apollo keeps, so a repeated query skips both. Env `DOCUMENT_CACHE_MAX_BYTES`. @default 31457280 (30 MiB) */
  readonly documentCacheMaxBytes: number;
  /** Bytes of query plans kept. Env `QUERY_PLAN_CACHE_MAX_BYTES`. @default 31457280 (30 MiB) */
  readonly queryPlanCacheMaxBytes: number;
  /** What runs query plans: `fast`, the gateway's compiled executor (plans it does not run go to stock's), or `stock`, @apollo/gateway's, whose OpenTelemetry spans tracing exports. Env `QUERY_PLAN_EXECUTOR`. @default 'fast'; 'stock' when `OTEL_EXPORTER_OTLP_ENDPOINT` is set */
  readonly queryPlanExecutor: QueryPlanExecutorKind;
}

export type QueryPlanExecutorKind = 'fast' | 'stock';

export interface ObservabilitySettings {
  /** Least severe level logged; `silent` logs nothing. Env `LOG_LEVEL`. @default 'info' */
  readonly logLevel: LogLevel;
  /** OTLP/HTTP collector base URL; when set, traces are exported to `<url>/v1/traces`. Env `OTEL_EXPORTER_OTLP_ENDPOINT`. @default undefined (tracing off) */
  readonly otlpEndpoint: string | undefined;
  /** `service.name` of exported spans. Env `OTEL_SERVICE_NAME`. @default 'supergate-gateway' */
  readonly serviceName: string;
}

export interface SubgraphCallSettings {
  /** Longest wait for one subgraph call, headers and body, its retry included; then `SUBGRAPH_TIMEOUT`. Env `SUBGRAPH_TIMEOUT_MS`. @default 10000 */
  readonly timeoutMs: number;
  /** Consecutive failures (timeout, no connection, 502/503/504) that open a subgraph's circuit. Env `SUBGRAPH_BREAKER_THRESHOLD`. @default 5 */
  readonly breakerThreshold: number;
  /** How long an open circuit fails fast before one probe call is let through. Env `SUBGRAPH_BREAKER_COOLDOWN_MS`. @default 10000 */
  readonly breakerCooldownMs: number;
  /** Most keep-alive connections to one subgraph per gateway process; further calls wait for one. Env `SUBGRAPH_MAX_CONNECTIONS`. @default 128 */
  readonly maxConnections: number;
  /** Concurrent identical subgraph queries (same query, variables, caller and forwarded headers) share one call. Env `SUBGRAPH_DEDUPLICATION` (`on`/`off`). @default true */
  readonly deduplicateQueries: boolean;
}

export interface RateLimitSettings {
  /** Requests per caller per window. Env `RATE_LIMIT_REQUESTS`. @default 600 */
  readonly requests: number;
  /** Window length in seconds for the request and cost budgets. Env `RATE_LIMIT_WINDOW_SECONDS`. @default 60 */
  readonly windowSeconds: number;
  /** Estimated cost per caller per window. Env `RATE_LIMIT_COST_PER_WINDOW`. @default 1000000 */
  readonly costPerWindow: number;
}

/** Caps on subscriptions, each per gateway process; over one, a subscription is refused with `SUBSCRIPTION_LIMIT_EXCEEDED`. */
export interface SubscriptionSettings {
  /** Subscriptions on one WebSocket connection. Env `SUBSCRIPTIONS_MAX_PER_CONNECTION`. @default 100 */
  readonly maxPerConnection: number;
  /** Subscriptions of one caller (`user:<sub>`, or `ip:<address>` when anonymous), over every protocol. Env `SUBSCRIPTIONS_MAX_PER_CALLER`. @default 100 */
  readonly maxPerCaller: number;
  /** Subscriptions in all. Env `SUBSCRIPTIONS_MAX`. @default 10000 */
  readonly max: number;
  /** Events held for a consumer that reads slower than they come; the next one ends its subscription with `SUBSCRIPTION_BUFFER_OVERFLOW`. Env `SUBSCRIPTION_BUFFER_EVENTS`. @default 100 */
  readonly bufferEvents: number;
}

export interface QueryLimits {
  /** Lexical tokens in a document, counted while parsing (Apollo Router's `parser_max_tokens`). Env `QUERY_MAX_TOKENS`. @default 15000 */
  readonly tokens: number;
  /** Directives on an operation's selections, counted at every place a fragment is used. Env `QUERY_MAX_DIRECTIVES`. @default 50 */
  readonly directives: number;
  /** Selections an operation expands to, counted without expanding it. Env `QUERY_MAX_SELECTIONS`. @default 10000 */
  readonly selections: number;
  /** Deepest field nesting. Env `QUERY_MAX_DEPTH`. @default 12 */
  readonly depth: number;
  /** Aliased fields, `__typename` and introspection included. Env `QUERY_MAX_ALIASES`. @default 30 */
  readonly aliases: number;
  /** Fields at the root of an operation once fragments are flattened. Env `QUERY_MAX_ROOT_FIELDS`. @default 20 */
  readonly rootFields: number;
  /** Estimated cost of one operation. Env `QUERY_MAX_COST`. @default 50000 */
  readonly cost: number;
  /** Assumed length of a list that neither a slicing argument nor `@listSize(assumedSize:)` sizes. Env `QUERY_DEFAULT_LIST_SIZE`. @default 10 */
  readonly defaultListSize: number;
}

/** Signs development tokens (`npm run token`); refused in production. */
export const DEVELOPMENT_JWT_SECRET = 'supergate-development-secret-do-not-use-in-production';

const DEFAULT_SUPERGRAPH_PATH = fileURLToPath(new URL('../../schema/supergraph.graphql', import.meta.url));

/** Settings from the command line, each with the flag that set it. */
export interface CommandLineSetting {
  readonly variable: string;
  readonly value: string;
  /** As an error names it, e.g. `--port`. */
  readonly flag: string;
}

export interface GatewayConfigSources {
  /** Where a config file is looked for, and what relative paths are relative to. @default process.cwd() */
  readonly cwd?: string;
  /** The config file named by `--config`; over `SUPERGATE_CONFIG`. @default `SUPERGATE_CONFIG`, else a `supergate.config.*` in `cwd` */
  readonly configFile?: string | undefined;
  /** Over the environment and the config file. @default [] */
  readonly flags?: readonly CommandLineSetting[];
  /** Values used when no other source sets them, by variable (the CLI's `./supergraph.graphql`). @default {} */
  readonly defaults?: Readonly<Record<string, string>>;
}

export interface LoadedGatewayConfig {
  readonly config: GatewayConfig;
  /** The config file read, when there was one. */
  readonly configFile: string | undefined;
}

/**
 * The gateway's settings from its config file, then the environment, then command-line
 * flags, each over the ones before. A bad value throws a `ConfigError` naming the
 * variable and, when it did not come from the environment, where it came from.
 */
export async function loadGatewayConfig(sources: GatewayConfigSources = {}, env: NodeJS.ProcessEnv = process.env): Promise<LoadedGatewayConfig> {
  const cwd = sources.cwd ?? process.cwd();
  const fromEnv = nonEmpty(env['SUPERGATE_CONFIG']);
  const named: NamedConfigFile | undefined =
    sources.configFile !== undefined
      ? { path: sources.configFile, namedBy: '--config' }
      : fromEnv === undefined
        ? undefined
        : { path: fromEnv, namedBy: 'SUPERGATE_CONFIG' };
  const file = await readConfigFile(cwd, named);
  const layer = file === undefined ? undefined : fileSettings(file);
  const values: Record<string, string> = {};
  const origins = new Map<string, string>();
  for (const [variable, value] of Object.entries(sources.defaults ?? {})) {
    values[variable] = value;
    origins.set(variable, 'the default');
  }
  for (const [variable, value] of Object.entries(layer?.values ?? {})) {
    values[variable] = value;
    origins.set(variable, layer?.origins.get(variable) ?? variable);
  }
  for (const [variable, value] of Object.entries(env)) {
    if (value === undefined || nonEmpty(value) === undefined) continue;
    values[variable] = value;
    origins.delete(variable);
  }
  for (const { variable, value, flag } of sources.flags ?? []) {
    values[variable] = value;
    origins.set(variable, flag);
  }
  const supergraphPath = nonEmpty(values['SUPERGRAPH_PATH']);
  if (supergraphPath !== undefined && !isAbsolute(supergraphPath)) values['SUPERGRAPH_PATH'] = resolve(cwd, supergraphPath);
  const config = readGatewayConfig(values, origins);
  if (!existsSync(config.supergraphPath)) {
    const how = 'a supergraph file that exists (compose one with `supergate compose`, or name one with --supergraph)';
    throw new ConfigError('SUPERGRAPH_PATH', how, config.supergraphPath).withOrigins(origins);
  }
  return { config, configFile: file?.path };
}

/** The routing URL `config` sets for subgraph `name` (`SUBGRAPH_<NAME>_URL`), if any. */
export function subgraphUrlOverride(config: Pick<GatewayConfig, 'subgraphUrls'>, name: string): string | undefined {
  return config.subgraphUrls[subgraphVariablePart(name).toLowerCase()];
}

/**
 * Parses the environment; throws a `ConfigError` naming the first bad variable,
 * followed by its entry in `origins` when there is one (`QUERY_MAX_DEPTH (queryMaxDepth in supergate.config.json)`).
 */
export function readGatewayConfig(env: NodeJS.ProcessEnv = process.env, origins: ReadonlyMap<string, string> = new Map()): GatewayConfig {
  try {
    return parseGatewayConfig(env);
  } catch (error) {
    throw error instanceof ConfigError ? error.withOrigins(origins) : error;
  }
}

function parseGatewayConfig(env: NodeJS.ProcessEnv): GatewayConfig {
  const subgraphUrls: Record<string, string> = {};
  for (const [variable, value] of Object.entries(env)) {
    const match = /^SUBGRAPH_([A-Z0-9_]+)_URL$/.exec(variable);
    if (match?.[1] === undefined || value === undefined || value === '') continue;
    subgraphUrls[match[1].toLowerCase()] = parseUrl(variable, value);
  }
  const production = parseNodeEnv(env['NODE_ENV']);
  const { keys: jwtKeys, development: jwtDevelopmentSecret } = parseJwtKeys(env, production);
  const config = buildConfig(env, production, jwtKeys, jwtDevelopmentSecret, subgraphUrls);
  if (config.workers > 1 && config.redisUrl === undefined) {
    // Each process would keep its own cache, persisted queries and counters: a purge would reach one, and limits would multiply.
    throw new ConfigError(
      'GATEWAY_WORKERS',
      'at most 1 without REDIS_URL (workers share the cache, persisted queries and rate-limit counters only through Redis)',
      String(config.workers),
    );
  }
  if (config.rateLimits.costPerWindow < config.queryLimits.cost) {
    // Otherwise an operation the query limits accept could never fit in anyone's budget.
    throw new ConfigError('RATE_LIMIT_COST_PER_WINDOW', `at least QUERY_MAX_COST (${config.queryLimits.cost})`, String(config.rateLimits.costPerWindow));
  }
  return config;
}

function buildConfig(
  env: NodeJS.ProcessEnv,
  production: boolean,
  jwtKeys: VerificationKeySource,
  jwtDevelopmentSecret: boolean,
  subgraphUrls: Record<string, string>,
): GatewayConfig {
  return Object.freeze({
    production,
    jwtKeys,
    jwtDevelopmentSecret,
    gatewaySigningKey: readGatewaySigningKey(env, production),
    serviceKeys: readServiceKeys(env),
    jwtRequireExp: parseSwitch('JWT_REQUIRE_EXP', env['JWT_REQUIRE_EXP'], production),
    jwksCacheMaxAgeMs: parseInteger('JWKS_CACHE_MAX_AGE_MS', env['JWKS_CACHE_MAX_AGE_MS'], DEFAULT_JWKS_CACHE_MAX_AGE_MS, 1000, 86_400_000),
    jwtIssuer: nonEmpty(env['JWT_ISSUER']),
    jwtAudience: nonEmpty(env['JWT_AUDIENCE']),
    port: parseInteger('PORT', env['PORT'], 4000, 0, 65535),
    host: nonEmpty(env['HOST']) ?? '127.0.0.1',
    supergraphPath: nonEmpty(env['SUPERGRAPH_PATH']) ?? DEFAULT_SUPERGRAPH_PATH,
    subgraphUrls: Object.freeze(subgraphUrls),
    maxBodyBytes: parseInteger('MAX_BODY_BYTES', env['MAX_BODY_BYTES'], 1024 * 1024, 1024, 100 * 1024 * 1024),
    redisUrl: parseRedisUrl(env['REDIS_URL']),
    responseCache: parseSwitch('RESPONSE_CACHE', env['RESPONSE_CACHE'], true),
    deduplicateOperations: parseSwitch('OPERATION_DEDUPLICATION', env['OPERATION_DEDUPLICATION'], true),
    cacheMaxEntries: parseInteger('CACHE_MAX_ENTRIES', env['CACHE_MAX_ENTRIES'], 10_000, 1, 10_000_000),
    cacheMaxBytes: parseInteger('CACHE_MAX_BYTES', env['CACHE_MAX_BYTES'], 64 * MiB, MiB, 65536 * MiB),
    rateLimits: Object.freeze({
      requests: parseInteger('RATE_LIMIT_REQUESTS', env['RATE_LIMIT_REQUESTS'], 600, 1, MAX_COUNT),
      windowSeconds: parseInteger('RATE_LIMIT_WINDOW_SECONDS', env['RATE_LIMIT_WINDOW_SECONDS'], 60, 1, 86_400),
      costPerWindow: parseInteger('RATE_LIMIT_COST_PER_WINDOW', env['RATE_LIMIT_COST_PER_WINDOW'], 1_000_000, 1, MAX_COUNT),
    }),
    queryLimits: Object.freeze({
      tokens: parseInteger('QUERY_MAX_TOKENS', env['QUERY_MAX_TOKENS'], 15_000, 1, 10_000_000),
      directives: parseInteger('QUERY_MAX_DIRECTIVES', env['QUERY_MAX_DIRECTIVES'], 50, 0, 1_000_000),
      selections: parseInteger('QUERY_MAX_SELECTIONS', env['QUERY_MAX_SELECTIONS'], 10_000, 1, MAX_COUNT),
      depth: parseInteger('QUERY_MAX_DEPTH', env['QUERY_MAX_DEPTH'], 12, 1, 1000),
      aliases: parseInteger('QUERY_MAX_ALIASES', env['QUERY_MAX_ALIASES'], 30, 0, 100_000),
      rootFields: parseInteger('QUERY_MAX_ROOT_FIELDS', env['QUERY_MAX_ROOT_FIELDS'], 20, 1, 100_000),
      cost: parseInteger('QUERY_MAX_COST', env['QUERY_MAX_COST'], 50_000, 1, MAX_COUNT),
      defaultListSize: parseInteger('QUERY_DEFAULT_LIST_SIZE', env['QUERY_DEFAULT_LIST_SIZE'], 10, 1, 10_000),
    }),
    corsOrigins: Object.freeze(parseOrigins(env['CORS_ORIGINS'], production)),
    forwardHeaders: Object.freeze(parseForwardHeaders(env['FORWARD_HEADERS'])),
    trustProxyHops: parseInteger('TRUST_PROXY_HOPS', env['TRUST_PROXY_HOPS'], 0, 0, 10),
    subgraphCalls: Object.freeze({
      timeoutMs: parseInteger('SUBGRAPH_TIMEOUT_MS', env['SUBGRAPH_TIMEOUT_MS'], 10_000, 1, 600_000),
      breakerThreshold: parseInteger('SUBGRAPH_BREAKER_THRESHOLD', env['SUBGRAPH_BREAKER_THRESHOLD'], 5, 1, 1000),
      breakerCooldownMs: parseInteger('SUBGRAPH_BREAKER_COOLDOWN_MS', env['SUBGRAPH_BREAKER_COOLDOWN_MS'], 10_000, 1, 3_600_000),
      maxConnections: parseInteger('SUBGRAPH_MAX_CONNECTIONS', env['SUBGRAPH_MAX_CONNECTIONS'], 128, 1, 10_000),
      deduplicateQueries: parseSwitch('SUBGRAPH_DEDUPLICATION', env['SUBGRAPH_DEDUPLICATION'], true),
    }),
    subscriptions: Object.freeze({
      maxPerConnection: parseInteger('SUBSCRIPTIONS_MAX_PER_CONNECTION', env['SUBSCRIPTIONS_MAX_PER_CONNECTION'], 100, 1, 100_000),
      maxPerCaller: parseInteger('SUBSCRIPTIONS_MAX_PER_CALLER', env['SUBSCRIPTIONS_MAX_PER_CALLER'], 100, 1, 1_000_000),
      max: parseInteger('SUBSCRIPTIONS_MAX', env['SUBSCRIPTIONS_MAX'], 10_000, 1, 10_000_000),
      bufferEvents: parseInteger('SUBSCRIPTION_BUFFER_EVENTS', env['SUBSCRIPTION_BUFFER_EVENTS'], 100, 1, 100_000),
    }),
    shutdownGraceMs: parseInteger('SHUTDOWN_GRACE_MS', env['SHUTDOWN_GRACE_MS'], 10_000, 0, 600_000),
    workers: parseInteger('GATEWAY_WORKERS', env['GATEWAY_WORKERS'], 1, 1, 256),
    observability: Object.freeze({
      logLevel: readLogLevel(env['LOG_LEVEL']),
      otlpEndpoint: parseOptionalUrl('OTEL_EXPORTER_OTLP_ENDPOINT', env['OTEL_EXPORTER_OTLP_ENDPOINT']),
      serviceName: nonEmpty(env['OTEL_SERVICE_NAME']) ?? 'supergate-gateway',
    }),
    metricsPort: parseInteger('METRICS_PORT', env['METRICS_PORT'], 9464, 0, 65535),
    metricsHost: nonEmpty(env['METRICS_HOST']) ?? '127.0.0.1',
    clientConnections: readClientConnectionLimits(env['REQUEST_TIMEOUT_MS'], env['HEADERS_TIMEOUT_MS'], env['MAX_CONNECTIONS']),
    documentCacheMaxBytes: parseInteger('DOCUMENT_CACHE_MAX_BYTES', env['DOCUMENT_CACHE_MAX_BYTES'], 30 * MiB, MiB, 4096 * MiB),
    queryPlanCacheMaxBytes: parseInteger('QUERY_PLAN_CACHE_MAX_BYTES', env['QUERY_PLAN_CACHE_MAX_BYTES'], 30 * MiB, MiB, 4096 * MiB),
    queryPlanExecutor: parseQueryPlanExecutor(env['QUERY_PLAN_EXECUTOR'], nonEmpty(env['OTEL_EXPORTER_OTLP_ENDPOINT']) !== undefined),
  });
}

const MiB = 1024 * 1024;

const MAX_COUNT = 1_000_000_000;

/** Where Apollo Sandbox and Apollo Studio send requests from. */
const APOLLO_SANDBOX_ORIGINS = ['https://studio.apollographql.com', 'https://sandbox.embed.apollographql.com'];
const DEVELOPMENT_ORIGINS = [...APOLLO_SANDBOX_ORIGINS, 'http://localhost:*', 'http://127.0.0.1:*'];

function parseSwitch(variable: string, raw: string | undefined, fallback: boolean): boolean {
  const value = nonEmpty(raw)?.toLowerCase();
  if (value === undefined) return fallback;
  if (value === 'on' || value === 'true' || value === '1') return true;
  if (value === 'off' || value === 'false' || value === '0') return false;
  throw new ConfigError(variable, 'on or off', raw ?? '');
}

function parseQueryPlanExecutor(raw: string | undefined, tracing: boolean): QueryPlanExecutorKind {
  const value = nonEmpty(raw)?.toLowerCase();
  // The request, plan and fetch spans that tracing exports come from @apollo/gateway's own executor.
  if (value === undefined) return tracing ? 'stock' : 'fast';
  if (value === 'fast' || value === 'stock') return value;
  throw new ConfigError('QUERY_PLAN_EXECUTOR', 'fast or stock', raw ?? '');
}

function parseRedisUrl(raw: string | undefined): string | undefined {
  const value = nonEmpty(raw);
  if (value === undefined) return undefined;
  if (!URL.canParse(value) || !/^rediss?:$/.test(new URL(value).protocol)) throw new ConfigError('REDIS_URL', 'a redis:// or rediss:// URL', value);
  return value;
}

function parseOrigins(raw: string | undefined, production: boolean): string[] {
  const value = nonEmpty(raw);
  if (value === undefined) return production ? [] : DEVELOPMENT_ORIGINS;
  const origins = value
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  for (const origin of origins) {
    if (origin === '*') continue;
    // A trailing ":*" allows any port of that host, for local development servers.
    const withoutWildcardPort = origin.replace(/:\*$/, '');
    if (!URL.canParse(withoutWildcardPort) || new URL(withoutWildcardPort).origin !== withoutWildcardPort) {
      throw new ConfigError('CORS_ORIGINS', 'comma-separated origins such as https://shop.example.com (scheme and host, no path), or *', origin);
    }
  }
  return origins;
}

/** Headers that carry identity or routing; a client's copy never reaches a subgraph. */
const NEVER_FORWARDED = new Set(['authorization', 'cookie', 'host', 'content-length', 'content-type', 'connection', GATEWAY_TOKEN_HEADER]);

function parseForwardHeaders(raw: string | undefined): string[] {
  const value = nonEmpty(raw);
  if (value === undefined) return ['accept-language'];
  const headers = value
    .split(',')
    .map((header) => header.trim().toLowerCase())
    .filter((header) => header !== '');
  for (const header of headers) {
    if (!/^[a-z0-9-]+$/.test(header)) throw new ConfigError('FORWARD_HEADERS', 'comma-separated header names', header);
    if (NEVER_FORWARDED.has(header)) throw new ConfigError('FORWARD_HEADERS', `free of headers the gateway owns (${[...NEVER_FORWARDED].join(', ')})`, header);
  }
  return headers;
}

function parseJwtKeys(env: NodeJS.ProcessEnv, production: boolean): { keys: VerificationKeySource; development: boolean } {
  const secret = nonEmpty(env['JWT_SECRET']);
  const pem = nonEmpty(env['JWT_PUBLIC_KEY']);
  const jwksUrl = nonEmpty(env['JWKS_URL']);
  const configured = [secret && 'JWT_SECRET', pem && 'JWT_PUBLIC_KEY', jwksUrl && 'JWKS_URL'].filter(Boolean);
  if (configured.length > 1) throw new ConfigError(configured.join(' and '), 'set one at a time (one way to verify tokens)', 'several set');
  if (secret !== undefined) {
    if (secret.length < 32) throw new ConfigError('JWT_SECRET', 'at least 32 characters', `${secret.length} characters`);
    return { keys: { kind: 'secret', secret }, development: false };
  }
  if (pem !== undefined) {
    if (!pem.includes('-----BEGIN PUBLIC KEY-----'))
      throw new ConfigError('JWT_PUBLIC_KEY', 'a PEM public key (-----BEGIN PUBLIC KEY-----)', `${pem.slice(0, 20)}...`);
    return { keys: { kind: 'publicKey', pem: pem.replace(/\\n/g, '\n') }, development: false };
  }
  if (jwksUrl !== undefined) return { keys: { kind: 'jwks', url: parseUrl('JWKS_URL', jwksUrl) }, development: false };
  if (production) throw new ConfigError('JWT_SECRET', 'set in production (or JWT_PUBLIC_KEY or JWKS_URL)', '');
  return { keys: { kind: 'secret', secret: DEVELOPMENT_JWT_SECRET }, development: true };
}

function readGatewaySigningKey(env: NodeJS.ProcessEnv, production: boolean): SigningKey {
  const keyPair = readPrivateKey('GATEWAY_SIGNING_KEY', env['GATEWAY_SIGNING_KEY']);
  if (keyPair !== undefined) return keyPair;
  // A shared secret lets every subgraph that holds it sign as the gateway, so production needs a key pair.
  if (production)
    throw new ConfigError(
      'GATEWAY_SIGNING_KEY',
      'set in production: a PEM EC P-256 private key the gateway signs identity tokens with (GATEWAY_SECRET is for development)',
      '',
    );
  return readGatewaySecret(env['GATEWAY_SECRET']) ?? developmentGatewaySecret();
}

/** `SERVICE_<NAME>_PUBLIC_KEY`, the variables subgraphs read to trust their peers. */
function readServiceKeys(env: NodeJS.ProcessEnv): ReadonlyMap<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  for (const variable of Object.keys(env)) {
    const service = /^SERVICE_([A-Z][A-Z0-9]*)_PUBLIC_KEY$/.exec(variable)?.[1]?.toLowerCase();
    if (service === undefined) continue;
    const key = readPublicKey(variable, env[variable]);
    if (key !== undefined) keys.set(service, key);
  }
  return keys;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function parseNodeEnv(raw: string | undefined): boolean {
  const value = nonEmpty(raw);
  if (value === undefined || value === 'development' || value === 'test') return false;
  if (value === 'production') return true;
  throw new ConfigError('NODE_ENV', 'one of production, development, test', value);
}

function parseInteger(variable: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  const value = nonEmpty(raw);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < min || parsed > max) throw new ConfigError(variable, `an integer from ${min} to ${max}`, value);
  return parsed;
}

function parseOptionalUrl(variable: string, raw: string | undefined): string | undefined {
  const value = nonEmpty(raw);
  return value === undefined ? undefined : parseUrl(variable, value);
}

function parseUrl(variable: string, value: string): string {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) throw new ConfigError(variable, 'an http(s) URL', value);
  return value;
}
