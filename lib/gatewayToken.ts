import jwt from 'jsonwebtoken';

/**
 * The header carrying the gateway's signed statement of who is calling. Subgraphs
 * trust identity only from it; the gateway drops any copy a client sends.
 */
export const GATEWAY_TOKEN_HEADER = 'supergate-gateway-token';

const AUDIENCE = 'supergate-subgraphs';

/** The shared secret when GATEWAY_SECRET is unset, outside production only. */
export const DEVELOPMENT_GATEWAY_SECRET = 'supergate-development-gateway-secret-not-for-production';

/** The caller as the gateway vouches for it: `sub` is null for an anonymous caller. */
export interface VouchedIdentity {
  readonly sub: string | null;
  readonly scopes: readonly string[];
  /** Who signed: `gateway`, or the service making a service-to-service call. */
  readonly issuer: string;
}

/**
 * GATEWAY_SECRET as the gateway and every subgraph read it: required in production,
 * at least 32 characters; the development secret otherwise.
 */
export function readGatewaySecret(raw: string | undefined, production: boolean): string {
  const value = raw?.trim() ?? '';
  if (value === '') {
    if (production) throw new Error('GATEWAY_SECRET must be set in production (the secret the gateway and subgraphs share); got ""');
    return DEVELOPMENT_GATEWAY_SECRET;
  }
  if (value.length < 32) throw new Error(`GATEWAY_SECRET must be at least 32 characters; got "${value.length} characters"`);
  return value;
}

/**
 * Signs short-lived identity tokens with the shared GATEWAY_SECRET. Tokens are
 * reused for half their lifetime so signing costs nothing on the hot path.
 */
export class GatewayTokenSigner {
  private readonly cache = new Map<string, { token: string; renewAt: number }>();

  constructor(
    private readonly secret: string,
    private readonly issuer: string,
    private readonly ttlSeconds = 60,
  ) {}

  sign(sub: string | null, scopes: Iterable<string> = []): string {
    const scopeList = [...scopes].sort();
    const cacheKey = `${sub ?? ''}\n${scopeList.join(' ')}`;
    const now = Date.now();
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined && cached.renewAt > now) return cached.token;
    const token = jwt.sign({ scope: scopeList.join(' ') }, this.secret, {
      algorithm: 'HS256',
      expiresIn: this.ttlSeconds,
      issuer: this.issuer,
      audience: AUDIENCE,
      ...(sub === null ? {} : { subject: sub }),
    });
    if (this.cache.size >= 10_000) this.cache.clear();
    this.cache.set(cacheKey, { token, renewAt: now + (this.ttlSeconds * 1000) / 2 });
    return token;
  }
}

/** Verifies a gateway token; `null` when it is missing, forged, expired or for someone else. */
export function verifyGatewayToken(secret: string, token: string | undefined): VouchedIdentity | null {
  if (token === undefined || token === '') return null;
  try {
    const payload = jwt.verify(token, secret, { algorithms: ['HS256'], audience: AUDIENCE, clockTolerance: 5 });
    if (typeof payload === 'string' || typeof payload.iss !== 'string') return null;
    const scope = typeof payload['scope'] === 'string' ? payload['scope'] : '';
    return { sub: typeof payload.sub === 'string' ? payload.sub : null, scopes: scope.split(' ').filter((s) => s !== ''), issuer: payload.iss };
  } catch {
    return null;
  }
}
