import { fileURLToPath } from 'node:url';

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
  /** Routing URL overrides by subgraph name. Env `SUBGRAPH_<NAME>_URL`. @default {} (the supergraph's URLs) */
  readonly subgraphUrls: Readonly<Record<string, string>>;
  /** Largest accepted request body in bytes. Env `MAX_BODY_BYTES`. @default 1048576 */
  readonly maxBodyBytes: number;
}

/** A configuration value the gateway cannot start with. */
export class ConfigError extends Error {
  constructor(variable: string, expected: string, received: string) {
    super(`${variable} must be ${expected}; got "${received}"`);
    this.name = 'ConfigError';
  }
}

const DEFAULT_SUPERGRAPH_PATH = fileURLToPath(new URL('../../schema/supergraph.graphql', import.meta.url));

/** Parses the environment; throws a `ConfigError` naming the first bad variable. */
export function readGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const subgraphUrls: Record<string, string> = {};
  for (const [variable, value] of Object.entries(env)) {
    const match = /^SUBGRAPH_([A-Z][A-Z0-9]*)_URL$/.exec(variable);
    if (match?.[1] === undefined || value === undefined || value === '') continue;
    subgraphUrls[match[1].toLowerCase()] = parseUrl(variable, value);
  }
  return Object.freeze({
    production: parseNodeEnv(env['NODE_ENV']),
    port: parseInteger('PORT', env['PORT'], 4000, 0, 65535),
    host: nonEmpty(env['HOST']) ?? '127.0.0.1',
    supergraphPath: nonEmpty(env['SUPERGRAPH_PATH']) ?? DEFAULT_SUPERGRAPH_PATH,
    subgraphUrls: Object.freeze(subgraphUrls),
    maxBodyBytes: parseInteger('MAX_BODY_BYTES', env['MAX_BODY_BYTES'], 1024 * 1024, 1024, 100 * 1024 * 1024),
  });
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

function parseUrl(variable: string, value: string): string {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) throw new ConfigError(variable, 'an http(s) URL', value);
  return value;
}
