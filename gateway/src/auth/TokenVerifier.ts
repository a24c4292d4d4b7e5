import { createPublicKey, type KeyObject } from 'node:crypto';
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { DEFAULT_JWKS_CACHE_MAX_AGE_MS, remoteKeySet, type RemoteKeySet } from '../../../lib/remoteKeySet.js';
import { scopesOf, type Viewer } from './Viewer.js';

/** Where the gateway's verification keys come from. Exactly one is configured. */
export type VerificationKeySource = { kind: 'secret'; secret: string } | { kind: 'publicKey'; pem: string } | { kind: 'jwks'; url: string };

export interface TokenVerifierOptions {
  /** The key tokens are signed with: a shared secret, a PEM public key, or a JWKS URL. */
  keys: VerificationKeySource;
  /** Required `iss` claim. @default undefined (not checked) */
  issuer?: string | undefined;
  /** Required `aud` claim. @default undefined (not checked) */
  audience?: string | undefined;
  /** Seconds of clock skew tolerated on `exp` and `nbf`. @default 5 */
  clockToleranceSeconds?: number;
  /** Refuse tokens without `exp`. @default false */
  requireExp?: boolean;
  /** How long a fetched JWKS is used before it is fetched again. @default 600000 */
  jwksCacheMaxAgeMs?: number;
}

/** Why a token was refused; `expired` gets its own message so clients know to refresh. */
export class InvalidTokenError extends Error {
  constructor(
    readonly reason: 'expired' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'];
const RSA_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
const EC_ALGORITHMS = ['ES256', 'ES384', 'ES512'];

/** Longest a verified token is trusted without checking its signature again. */
const MAX_REMEMBERED_MS = 5 * 60 * 1000;

interface RememberedViewer {
  readonly viewer: Viewer;
  /** The JWKS generation the token was verified against; a refetched set makes it be checked again. */
  readonly generation: number;
}

/**
 * Verifies bearer tokens. The accepted algorithms follow from the configured
 * key's type, never from the token: `none` is never accepted, and an HMAC
 * token is refused when the key is asymmetric (the classic key-confusion attack).
 */
export class TokenVerifier {
  private readonly staticKey: KeyObject | Uint8Array | undefined;
  private readonly jwks: RemoteKeySet | undefined;
  private readonly algorithms: string[];

  constructor(private readonly options: TokenVerifierOptions) {
    const { keys } = options;
    if (keys.kind === 'secret') {
      this.staticKey = new TextEncoder().encode(keys.secret);
      this.algorithms = HMAC_ALGORITHMS;
    } else if (keys.kind === 'publicKey') {
      const key = createPublicKey(keys.pem);
      this.staticKey = key;
      this.algorithms = algorithmsFor(key);
    } else {
      this.jwks = remoteKeySet(keys.url, options.jwksCacheMaxAgeMs ?? DEFAULT_JWKS_CACHE_MAX_AGE_MS);
      this.algorithms = [...RSA_ALGORITHMS, ...EC_ALGORITHMS];
    }
  }

  /**
   * Tokens already verified, until they expire (at most five minutes), and for
   * JWKS keys only while the key set they were checked against is current: a
   * client sends the same token on every request, and checking its signature
   * again each time is the edge's biggest fixed cost.
   */
  private readonly verified = new LRUCache<string, RememberedViewer>({ max: 10_000 });

  async verify(token: string): Promise<Viewer> {
    const known = this.verified.get(token);
    if (known !== undefined && this.stillCurrent(known)) return known.viewer;
    const generation = this.jwks?.generation() ?? 0;
    const { viewer, exp } = await this.verifySignatureAndClaims(token);
    const ttl = Math.min(MAX_REMEMBERED_MS, exp === undefined ? MAX_REMEMBERED_MS : exp * 1000 - Date.now());
    if (ttl > 0) this.verified.set(token, { viewer, generation }, { ttl });
    return viewer;
  }

  private stillCurrent(remembered: RememberedViewer): boolean {
    return this.jwks === undefined || (this.jwks.fresh() && this.jwks.generation() === remembered.generation);
  }

  private async verifySignatureAndClaims(token: string): Promise<{ viewer: Viewer; exp: number | undefined }> {
    let payload: JWTPayload;
    try {
      const key: KeyObject | Uint8Array | JWTVerifyGetKey | undefined = this.staticKey ?? this.jwks?.getKey;
      if (key === undefined) throw invalid();
      ({ payload } = await jwtVerify(token, key, {
        algorithms: this.algorithms,
        clockTolerance: this.options.clockToleranceSeconds ?? 5,
        ...(this.options.requireExp === true ? { requiredClaims: ['exp'] } : {}),
        ...(this.options.issuer === undefined ? {} : { issuer: this.options.issuer }),
        ...(this.options.audience === undefined ? {} : { audience: this.options.audience }),
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new InvalidTokenError('expired', 'The access token has expired.');
      if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'exp' && error.reason === 'missing')
        throw new InvalidTokenError('invalid', 'The access token has no expiry (exp).');
      throw invalid();
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') throw invalid();
    const scopes = scopesOf(payload);
    if (scopes === null) throw new InvalidTokenError('invalid', 'The access token has a scope with whitespace or control characters.');
    return { viewer: { sub: payload.sub, scopes, ...(payload.exp === undefined ? {} : { expiresAt: payload.exp * 1000 }) }, exp: payload.exp };
  }
}

function algorithmsFor(key: KeyObject): string[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return RSA_ALGORITHMS;
    case 'ec':
      return EC_ALGORITHMS;
    default:
      throw new Error(`unsupported key type ${key.asymmetricKeyType ?? 'unknown'}`);
  }
}

function invalid(): InvalidTokenError {
  return new InvalidTokenError('invalid', 'The access token is invalid.');
}
