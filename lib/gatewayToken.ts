import { SignJWT } from 'jose';
import { ConfigError } from './ConfigError.js';
import { IDENTITY_KEY_ALGORITHM, type SharedSecret, type SigningKey } from './identityKeys.js';

/**
 * The header carrying the gateway's signed statement of who is calling. Subgraphs
 * trust identity only from it; the gateway drops any copy a client sends.
 */
export const GATEWAY_TOKEN_HEADER = 'supergate-gateway-token';

/** The `aud` of every identity token: only subgraphs accept them. */
export const GATEWAY_TOKEN_AUDIENCE = 'supergate-subgraphs';

/** The `iss` of tokens the gateway signs; the only issuer that may vouch for end users. */
export const GATEWAY_ISSUER = 'gateway';

/** The shared secret when nothing else is configured, outside production only. */
export const DEVELOPMENT_GATEWAY_SECRET = 'supergate-development-gateway-secret-not-for-production';

/** The caller as the gateway vouches for it: `sub` is null for an anonymous caller or a service. */
export interface VouchedIdentity {
  readonly sub: string | null;
  readonly scopes: readonly string[];
  /** Who signed: `gateway`, or the service making a service-to-service call. */
  readonly issuer: string;
}

/** GATEWAY_SECRET, at least 32 characters; `undefined` when unset. */
export function readGatewaySecret(raw: string | undefined): SharedSecret | undefined {
  const value = raw?.trim() ?? '';
  if (value === '') return undefined;
  if (value.length < 32) throw new ConfigError('GATEWAY_SECRET', 'at least 32 characters', `${value.length} characters`);
  return sharedSecret(value);
}

/** The built-in development secret, for processes started with no keys at all. */
export function developmentGatewaySecret(): SharedSecret {
  return sharedSecret(DEVELOPMENT_GATEWAY_SECRET);
}

function sharedSecret(value: string): SharedSecret {
  return Object.freeze({ kind: 'secret', secret: new TextEncoder().encode(value) });
}

/**
 * Signs short-lived identity tokens as `issuer`: ES256 with a key pair, HS256
 * with a shared secret. Scopes travel as a JSON array, exactly as the gateway
 * read them. Tokens are reused for half their lifetime so signing costs
 * nothing on the hot path.
 */
export class GatewayTokenSigner {
  private readonly cache = new Map<string, { token: Promise<string>; renewAt: number }>();

  constructor(
    private readonly key: SigningKey,
    private readonly issuer: string,
    private readonly ttlSeconds = 60,
  ) {}

  sign(sub: string | null, scopes: Iterable<string> = []): Promise<string> {
    const scopeList = [...new Set(scopes)].sort();
    // JSON, not a joined string: ["a b"] and ["a", "b"] are different callers.
    const cacheKey = JSON.stringify([sub, scopeList]);
    const now = Date.now();
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined && cached.renewAt > now) return cached.token;
    const token = this.signNew(sub, scopeList);
    if (this.cache.size >= 10_000) this.cache.clear();
    this.cache.set(cacheKey, { token, renewAt: now + (this.ttlSeconds * 1000) / 2 });
    token.catch(() => this.cache.delete(cacheKey));
    return token;
  }

  private signNew(sub: string | null, scopes: readonly string[]): Promise<string> {
    const jwt = new SignJWT(scopes.length === 0 ? {} : { scopes: [...scopes] })
      .setIssuer(this.issuer)
      .setAudience(GATEWAY_TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`);
    if (sub !== null) jwt.setSubject(sub);
    if (this.key.kind === 'secret') return jwt.setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(this.key.secret);
    return jwt.setProtectedHeader({ alg: IDENTITY_KEY_ALGORITHM, kid: this.key.kid, typ: 'JWT' }).sign(this.key.privateKey);
  }
}
