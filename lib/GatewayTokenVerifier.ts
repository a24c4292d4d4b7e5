import type { KeyObject } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { GATEWAY_ISSUER, GATEWAY_TOKEN_AUDIENCE, type VouchedIdentity } from './gatewayToken.js';
import { IDENTITY_KEY_ALGORITHM, keyId, type SharedSecret } from './identityKeys.js';
import { remoteKeySet } from './remoteKeySet.js';
import { isScopeToken } from './scopes.js';

/** Whose signatures a subgraph accepts, and what each signer may vouch for. */
export interface GatewayTrust {
  /** The gateway's public key (GATEWAY_PUBLIC_KEY); it alone vouches for end users. */
  readonly gatewayPublicKey: KeyObject | undefined;
  /** The gateway's JWKS (GATEWAY_JWKS_URL), for keys it rotates in. */
  readonly gatewayJwksUrl: string | undefined;
  /** Services that may call as themselves (never as a user), by name: SERVICE_<NAME>_PUBLIC_KEY. */
  readonly serviceKeys: ReadonlyMap<string, KeyObject>;
  /** An HS256 secret whose holders may claim any issuer: development, or while moving to key pairs. */
  readonly sharedSecret: SharedSecret | undefined;
  /** How long a fetched JWKS is used before it is fetched again. */
  readonly jwksCacheMaxAgeMs: number;
}

/** Longest a verified identity token is remembered; the gateway's own live 60 s. */
const MAX_REMEMBERED_MS = 60_000;

/**
 * Checks the identity token on a subgraph request. The key is chosen by the
 * token's issuer, never by what the token claims about itself beyond that: the
 * gateway's key vouches for users, a service's key only for that service.
 */
export class GatewayTokenVerifier {
  private readonly gatewayJwks: JWTVerifyGetKey | undefined;
  private readonly gatewayKid: string | undefined;
  private readonly verified = new LRUCache<string, VouchedIdentity>({ max: 10_000 });

  constructor(private readonly trust: GatewayTrust) {
    this.gatewayJwks = trust.gatewayJwksUrl === undefined ? undefined : remoteKeySet(trust.gatewayJwksUrl, trust.jwksCacheMaxAgeMs).getKey;
    this.gatewayKid = trust.gatewayPublicKey === undefined ? undefined : keyId(trust.gatewayPublicKey);
  }

  /** The caller the token vouches for; `null` when it is missing, forged, expired, for someone else or claims more than its signer may. */
  async verify(token: string | undefined): Promise<VouchedIdentity | null> {
    if (token === undefined || token === '') return null;
    const known = this.verified.get(token);
    if (known !== undefined) return known;
    let alg: string | undefined;
    let kid: string | undefined;
    let issuer: unknown;
    try {
      ({ alg, kid } = decodeProtectedHeader(token));
      issuer = decodeJwt(token).iss;
    } catch {
      return null;
    }
    if (typeof issuer !== 'string') return null;
    const key = this.keyFor(alg, kid, issuer);
    if (key === undefined) return null;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: [alg === 'HS256' ? 'HS256' : IDENTITY_KEY_ALGORITHM],
        issuer,
        audience: GATEWAY_TOKEN_AUDIENCE,
        clockTolerance: 5,
        requiredClaims: ['exp'],
      }));
    } catch {
      return null;
    }
    const identity = identityOf(payload, issuer);
    const ttl = Math.min(MAX_REMEMBERED_MS, (payload.exp ?? 0) * 1000 - Date.now());
    if (identity !== null && ttl > 0) this.verified.set(token, identity, { ttl });
    return identity;
  }

  private keyFor(alg: string | undefined, kid: string | undefined, issuer: string): KeyObject | Uint8Array | JWTVerifyGetKey | undefined {
    if (alg === 'HS256') return this.trust.sharedSecret?.secret;
    if (alg !== IDENTITY_KEY_ALGORITHM) return undefined;
    if (issuer !== GATEWAY_ISSUER) return this.trust.serviceKeys.get(issuer);
    // A kid other than the configured key's is one the gateway rotated in: ask its JWKS.
    if (this.trust.gatewayPublicKey !== undefined && (kid === undefined || kid === this.gatewayKid || this.gatewayJwks === undefined))
      return this.trust.gatewayPublicKey;
    return this.gatewayJwks;
  }
}

/** The identity a verified payload states, or `null` when it claims what its issuer may not vouch for. */
function identityOf(payload: JWTPayload, issuer: string): VouchedIdentity | null {
  const scopes = payload['scopes'] ?? [];
  if (!Array.isArray(scopes) || !scopes.every(isScopeToken)) return null;
  const sub = payload.sub ?? null;
  if (sub === '') return null;
  // A service's key vouches only for that service: no user, no scopes.
  if (issuer !== GATEWAY_ISSUER && (sub !== null || scopes.length > 0)) return null;
  return Object.freeze({ sub, scopes: Object.freeze([...scopes]), issuer });
}
