import type { KeyObject } from 'node:crypto';
import { ConfigError } from '../../lib/ConfigError.js';
import { developmentGatewaySecret, GATEWAY_ISSUER, readGatewaySecret } from '../../lib/gatewayToken.js';
import type { GatewayTrust } from '../../lib/GatewayTokenVerifier.js';
import { readClientConnectionLimits, type ClientConnectionLimits } from '../../lib/http/clientConnectionLimits.js';
import { readPrivateKey, readPublicKey, type SigningKey } from '../../lib/identityKeys.js';
import { readLogLevel, type LogLevel } from '../../lib/logger.js';
import { DEFAULT_JWKS_CACHE_MAX_AGE_MS } from '../../lib/remoteKeySet.js';

/** Settings every subgraph process reads from its environment at start-up. */
export interface SubgraphConfig {
  /** Service name, also the database schema it owns. */
  readonly name: string;
  /** Port to listen on; 0 picks a free one. @default the service's registry port */
  readonly port: number;
  /** Interface to bind. @default '127.0.0.1' */
  readonly host: string;
  /** PostgreSQL URL; unset means an embedded in-process database. @default undefined */
  readonly databaseUrl: string | undefined;
  /** Production mode masks internal errors. @default false */
  readonly production: boolean;
  /** Whose identity tokens are accepted; requests without a valid one get 401. Env `GATEWAY_PUBLIC_KEY`, `GATEWAY_JWKS_URL`, `SERVICE_<NAME>_PUBLIC_KEY`, `GATEWAY_SECRET`, `JWKS_CACHE_MAX_AGE_MS`. @default the development secret, outside production only */
  readonly gatewayTrust: GatewayTrust;
  /** Signs this service's own calls to its peers, as itself. Env `SERVICE_SIGNING_KEY`. @default undefined without peers; GATEWAY_SECRET or the development secret outside production */
  readonly signingKey: SigningKey | undefined;
  /** GraphQL URLs of other subgraphs this one calls, by service name. */
  readonly peers: Readonly<Record<string, string>>;
  /** Least severe level logged; `silent` logs nothing. Env `LOG_LEVEL`. @default 'info' */
  readonly logLevel: LogLevel;
  /** How long slow clients may hold a connection, and how many may. Env `REQUEST_TIMEOUT_MS`, `HEADERS_TIMEOUT_MS`, `MAX_CONNECTIONS`. @default 30000 ms, 10000 ms, 10000 */
  readonly clientConnections: ClientConnectionLimits;
  /** Redis carrying subscription events between replicas and cache purges to the gateway; unset keeps events in this process. Env `REDIS_URL`. @default undefined */
  readonly redisUrl: string | undefined;
  /** Redis holding the orders fulfilment queue (BullMQ); unset runs fulfilment on in-process timers. Env `QUEUE_REDIS_URL`. @default REDIS_URL */
  readonly queueRedisUrl: string | undefined;
  /** Time between an order's fulfilment steps (PLACED → SHIPPED → DELIVERED). Env `FULFILMENT_STEP_MS`. @default 30000 */
  readonly fulfilmentStepMs: number;
  /** The gateway's `POST /cache/invalidate`, told of changes made outside a request when there is no Redis. Env `CACHE_PURGE_URL`. @default undefined */
  readonly cachePurgeUrl: string | undefined;
}

/** Time between fulfilment steps when `FULFILMENT_STEP_MS` is unset. */
export const DEFAULT_FULFILMENT_STEP_MS = 30_000;

/**
 * Reads a subgraph's configuration. `<NAME>_DATABASE_URL` overrides
 * `DATABASE_URL` for one service; peers come from `SUBGRAPH_<PEER>_URL`.
 */
export function readSubgraphConfig(name: string, defaultPort: number, peerNames: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): SubgraphConfig {
  const upper = name.toUpperCase();
  const peers: Record<string, string> = {};
  for (const peer of peerNames) {
    const variable = `SUBGRAPH_${peer.toUpperCase()}_URL`;
    peers[peer] = parseUrl(variable, env[variable]) ?? '';
    if (peers[peer] === '') throw new ConfigError(variable, `the ${peer} subgraph's GraphQL URL`, '');
  }
  const production = env['NODE_ENV'] === 'production';
  return Object.freeze({
    name,
    gatewayTrust: readGatewayTrust(env, production),
    signingKey: peerNames.length === 0 ? undefined : readServiceSigningKey(env, production),
    port: parsePort('PORT', env['PORT'], defaultPort),
    host: nonEmpty(env['HOST']) ?? '127.0.0.1',
    databaseUrl: parseUrl(`${upper}_DATABASE_URL`, env[`${upper}_DATABASE_URL`]) ?? parseUrl('DATABASE_URL', env['DATABASE_URL']),
    production,
    peers: Object.freeze(peers),
    logLevel: readLogLevel(env['LOG_LEVEL']),
    clientConnections: readClientConnectionLimits(env['REQUEST_TIMEOUT_MS'], env['HEADERS_TIMEOUT_MS'], env['MAX_CONNECTIONS']),
    redisUrl: parseRedisUrl('REDIS_URL', env['REDIS_URL']),
    queueRedisUrl: parseRedisUrl('QUEUE_REDIS_URL', env['QUEUE_REDIS_URL']) ?? parseRedisUrl('REDIS_URL', env['REDIS_URL']),
    fulfilmentStepMs: parseMilliseconds('FULFILMENT_STEP_MS', env['FULFILMENT_STEP_MS'], DEFAULT_FULFILMENT_STEP_MS),
    cachePurgeUrl: parseUrl('CACHE_PURGE_URL', env['CACHE_PURGE_URL']),
  });
}

function readGatewayTrust(env: NodeJS.ProcessEnv, production: boolean): GatewayTrust {
  const gatewayPublicKey = readPublicKey('GATEWAY_PUBLIC_KEY', env['GATEWAY_PUBLIC_KEY']);
  const gatewayJwksUrl = parseUrl('GATEWAY_JWKS_URL', env['GATEWAY_JWKS_URL']);
  const configuredSecret = readGatewaySecret(env['GATEWAY_SECRET']);
  const hasKeys = gatewayPublicKey !== undefined || gatewayJwksUrl !== undefined;
  if (!hasKeys && production) {
    throw new ConfigError(
      'GATEWAY_PUBLIC_KEY',
      "set in production (or GATEWAY_JWKS_URL): the gateway's EC P-256 public key, so only the gateway can vouch for users",
      '',
    );
  }
  const serviceKeys = new Map<string, KeyObject>();
  for (const variable of Object.keys(env)) {
    const service = /^SERVICE_([A-Z][A-Z0-9]*)_PUBLIC_KEY$/.exec(variable)?.[1]?.toLowerCase();
    if (service === undefined) continue;
    if (service === GATEWAY_ISSUER) throw new ConfigError(variable, "named after a service; the gateway's key is GATEWAY_PUBLIC_KEY", variable);
    const key = readPublicKey(variable, env[variable]);
    if (key !== undefined) serviceKeys.set(service, key);
  }
  return Object.freeze({
    gatewayPublicKey,
    gatewayJwksUrl,
    serviceKeys,
    // With key pairs configured, HS256 is accepted only while GATEWAY_SECRET is still set (a migration).
    sharedSecret: configuredSecret ?? (hasKeys ? undefined : developmentGatewaySecret()),
    jwksCacheMaxAgeMs: parseMilliseconds('JWKS_CACHE_MAX_AGE_MS', env['JWKS_CACHE_MAX_AGE_MS'], DEFAULT_JWKS_CACHE_MAX_AGE_MS, 1000),
  });
}

function readServiceSigningKey(env: NodeJS.ProcessEnv, production: boolean): SigningKey {
  const keyPair = readPrivateKey('SERVICE_SIGNING_KEY', env['SERVICE_SIGNING_KEY']);
  if (keyPair !== undefined) return keyPair;
  if (production)
    throw new ConfigError(
      'SERVICE_SIGNING_KEY',
      'set in production for a service that calls peers: its own EC P-256 private key, whose public half the peers hold as SERVICE_<NAME>_PUBLIC_KEY',
      '',
    );
  return readGatewaySecret(env['GATEWAY_SECRET']) ?? developmentGatewaySecret();
}

/** A whole number of milliseconds from `min` to a day. */
function parseMilliseconds(variable: string, raw: string | undefined, fallback: number, min = 1): number {
  const value = nonEmpty(raw);
  if (value === undefined) return fallback;
  const ms = Number(value);
  if (!/^\d+$/.test(value) || ms < min || ms > 86_400_000) throw new ConfigError(variable, `milliseconds from ${min} to 86400000`, value);
  return ms;
}

function parseRedisUrl(variable: string, raw: string | undefined): string | undefined {
  const value = parseUrl(variable, raw);
  if (value !== undefined && !/^rediss?:$/.test(new URL(value).protocol)) throw new ConfigError(variable, 'a redis:// or rediss:// URL', value);
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function parsePort(variable: string, raw: string | undefined, fallback: number): number {
  const value = nonEmpty(raw);
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(variable, 'a port number from 0 to 65535', value);
  return port;
}

function parseUrl(variable: string, raw: string | undefined): string | undefined {
  const value = nonEmpty(raw);
  if (value === undefined) return undefined;
  try {
    new URL(value);
  } catch {
    throw new ConfigError(variable, 'an absolute URL', value);
  }
  return value;
}
