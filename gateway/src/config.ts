import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../lib/ConfigError.js';
import { readGatewaySecret } from '../../lib/gatewayToken.js';
import type { VerificationKeySource } from './auth/TokenVerifier.js';

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
  /** How bearer tokens are verified. Env `JWT_SECRET` | `JWT_PUBLIC_KEY` | `JWKS_URL`. @default a development secret, outside production only */
  readonly jwtKeys: VerificationKeySource;
  /** True when `jwtKeys` is the built-in development secret. */
  readonly jwtDevelopmentSecret: boolean;
  /** Secret shared with the subgraphs, signing the caller's identity for them. Env `GATEWAY_SECRET`. @default a development secret, outside production only */
  readonly gatewaySecret: string;
  /** Required `iss` claim. Env `JWT_ISSUER`. @default undefined (not checked) */
  readonly jwtIssuer: string | undefined;
  /** Required `aud` claim. Env `JWT_AUDIENCE`. @default undefined (not checked) */
  readonly jwtAudience: string | undefined;
}

/** Signs development tokens (`npm run token`); refused in production. */
export const DEVELOPMENT_JWT_SECRET = 'supergate-development-secret-do-not-use-in-production';

const DEFAULT_SUPERGRAPH_PATH = fileURLToPath(new URL('../../schema/supergraph.graphql', import.meta.url));

/** Parses the environment; throws a `ConfigError` naming the first bad variable. */
export function readGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const subgraphUrls: Record<string, string> = {};
  for (const [variable, value] of Object.entries(env)) {
    const match = /^SUBGRAPH_([A-Z][A-Z0-9]*)_URL$/.exec(variable);
    if (match?.[1] === undefined || value === undefined || value === '') continue;
    subgraphUrls[match[1].toLowerCase()] = parseUrl(variable, value);
  }
  const production = parseNodeEnv(env['NODE_ENV']);
  const { keys: jwtKeys, development: jwtDevelopmentSecret } = parseJwtKeys(env, production);
  return Object.freeze({
    production,
    jwtKeys,
    jwtDevelopmentSecret,
    gatewaySecret: readGatewaySecret(env['GATEWAY_SECRET'], production),
    jwtIssuer: nonEmpty(env['JWT_ISSUER']),
    jwtAudience: nonEmpty(env['JWT_AUDIENCE']),
    port: parseInteger('PORT', env['PORT'], 4000, 0, 65535),
    host: nonEmpty(env['HOST']) ?? '127.0.0.1',
    supergraphPath: nonEmpty(env['SUPERGRAPH_PATH']) ?? DEFAULT_SUPERGRAPH_PATH,
    subgraphUrls: Object.freeze(subgraphUrls),
    maxBodyBytes: parseInteger('MAX_BODY_BYTES', env['MAX_BODY_BYTES'], 1024 * 1024, 1024, 100 * 1024 * 1024),
  });
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
    if (!pem.includes('-----BEGIN PUBLIC KEY-----')) throw new ConfigError('JWT_PUBLIC_KEY', 'a PEM public key (-----BEGIN PUBLIC KEY-----)', `${pem.slice(0, 20)}...`);
    return { keys: { kind: 'publicKey', pem: pem.replace(/\\n/g, '\n') }, development: false };
  }
  if (jwksUrl !== undefined) return { keys: { kind: 'jwks', url: parseUrl('JWKS_URL', jwksUrl) }, development: false };
  if (production) throw new ConfigError('JWT_SECRET', 'set in production (or JWT_PUBLIC_KEY or JWKS_URL)', '');
  return { keys: { kind: 'secret', secret: DEVELOPMENT_JWT_SECRET }, development: true };
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

