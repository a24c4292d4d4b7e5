import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import jwt, { type Algorithm, type JwtPayload } from 'jsonwebtoken';
import { LRUCache } from 'lru-cache';
import { JwksKeyStore } from './JwksKeyStore.js';
import { scopesOf, type Viewer } from './Viewer.js';

/** Where the gateway's verification keys come from. Exactly one is configured. */
export type VerificationKeySource =
  | { kind: 'secret'; secret: string }
  | { kind: 'publicKey'; pem: string }
  | { kind: 'jwks'; url: string };

export interface TokenVerifierOptions {
  keys: VerificationKeySource;
  issuer?: string | undefined;
  audience?: string | undefined;
  /** Seconds of clock skew tolerated on `exp` and `nbf`. @default 5 */
  clockToleranceSeconds?: number;
}

/** Why a token was refused; `expired` gets its own message so clients know to refresh. */
export class InvalidTokenError extends Error {
  constructor(readonly reason: 'expired' | 'invalid', message: string) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

const HMAC_ALGORITHMS: Algorithm[] = ['HS256', 'HS384', 'HS512'];
const RSA_ALGORITHMS: Algorithm[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
const EC_ALGORITHMS: Algorithm[] = ['ES256', 'ES384', 'ES512'];

/**
 * Verifies bearer tokens. The accepted algorithms follow from the configured
 * key's type, never from the token: `none` is never accepted, and an HMAC
 * token is refused when the key is asymmetric (the classic key-confusion attack).
 */
/** Longest a verified token is trusted without checking its signature again. */
const MAX_REMEMBERED_MS = 5 * 60 * 1000;

export class TokenVerifier {
  private readonly staticKey: KeyObject | undefined;
  private readonly jwks: JwksKeyStore | undefined;

  constructor(private readonly options: TokenVerifierOptions) {
    const { keys } = options;
    if (keys.kind === 'secret') this.staticKey = createSecretKey(Buffer.from(keys.secret, 'utf8'));
    else if (keys.kind === 'publicKey') this.staticKey = createPublicKey(keys.pem);
    else this.jwks = new JwksKeyStore(keys.url);
  }

  /**
   * Tokens already verified, until they expire (at most five minutes): a client
   * sends the same token on every request, and checking its signature again
   * each time is the edge's biggest fixed cost.
   */
  private readonly verified = new LRUCache<string, Viewer>({ max: 10_000 });

  async verify(token: string): Promise<Viewer> {
    const known = this.verified.get(token);
    if (known !== undefined) return known;
    const viewer = await this.verifySignatureAndClaims(token);
    const exp = (jwt.decode(token) as JwtPayload | null)?.exp;
    const ttl = Math.min(MAX_REMEMBERED_MS, exp === undefined ? MAX_REMEMBERED_MS : exp * 1000 - Date.now());
    if (ttl > 0) this.verified.set(token, viewer, { ttl });
    return viewer;
  }

  private async verifySignatureAndClaims(token: string): Promise<Viewer> {
    const decoded = jwt.decode(token, { complete: true });
    if (decoded === null || typeof decoded.payload === 'string') throw invalid();
    const key = await this.keyFor(decoded.header.kid);
    let payload: JwtPayload;
    try {
      payload = jwt.verify(token, key, {
        algorithms: algorithmsFor(key),
        clockTolerance: this.options.clockToleranceSeconds ?? 5,
        ...(this.options.issuer === undefined ? {} : { issuer: this.options.issuer }),
        ...(this.options.audience === undefined ? {} : { audience: this.options.audience }),
      }) as JwtPayload;
    } catch (error) {
      if (error instanceof jwt.TokenExpiredError) throw new InvalidTokenError('expired', 'The access token has expired.');
      throw invalid();
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') throw invalid();
    return { sub: payload.sub, scopes: scopesOf(payload) };
  }

  private async keyFor(kid: string | undefined): Promise<KeyObject> {
    if (this.staticKey !== undefined) return this.staticKey;
    if (kid === undefined || this.jwks === undefined) throw invalid();
    const key = await this.jwks.get(kid);
    if (key === undefined) throw invalid();
    return key;
  }
}

function algorithmsFor(key: KeyObject): Algorithm[] {
  if (key.type === 'secret') return HMAC_ALGORITHMS;
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
