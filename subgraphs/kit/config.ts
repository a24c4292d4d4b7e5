import { ConfigError } from '../../lib/ConfigError.js';
/** Settings every subgraph process reads from its environment at start-up. */
import { readGatewaySecret } from '../../lib/gatewayToken.js';
import { readClientConnectionLimits, type ClientConnectionLimits } from '../../lib/http/clientConnectionLimits.js';
import { readLogLevel, type LogLevel } from '../../lib/logger.js';

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
  /** Secret shared with the gateway; requests without a token signed with it get 401. Env `GATEWAY_SECRET`. @default a development secret, outside production only */
  readonly gatewaySecret: string;
  /** GraphQL URLs of other subgraphs this one calls, by service name. */
  readonly peers: Readonly<Record<string, string>>;
  /** Least severe level logged; `silent` logs nothing. Env `LOG_LEVEL`. @default 'info' */
  readonly logLevel: LogLevel;
  /** How long slow clients may hold a connection, and how many may. Env `REQUEST_TIMEOUT_MS`, `HEADERS_TIMEOUT_MS`, `MAX_CONNECTIONS`. @default 30000 ms, 10000 ms, 10000 */
  readonly clientConnections: ClientConnectionLimits;
}

/**
 * Reads a subgraph's configuration. `<NAME>_DATABASE_URL` overrides
 * `DATABASE_URL` for one service; peers come from `SUBGRAPH_<PEER>_URL`.
 */
export function readSubgraphConfig(
  name: string,
  defaultPort: number,
  peerNames: readonly string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): SubgraphConfig {
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
    gatewaySecret: readGatewaySecret(env['GATEWAY_SECRET'], production),
    port: parsePort('PORT', env['PORT'], defaultPort),
    host: nonEmpty(env['HOST']) ?? '127.0.0.1',
    databaseUrl: parseUrl(`${upper}_DATABASE_URL`, env[`${upper}_DATABASE_URL`]) ?? parseUrl('DATABASE_URL', env['DATABASE_URL']),
    production,
    peers: Object.freeze(peers),
    logLevel: readLogLevel(env['LOG_LEVEL']),
    clientConnections: readClientConnectionLimits(env['REQUEST_TIMEOUT_MS'], env['HEADERS_TIMEOUT_MS'], env['MAX_CONNECTIONS']),
  });
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

