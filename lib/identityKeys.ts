import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { ConfigError } from './ConfigError.js';

/** The one algorithm identity tokens are signed with when a key pair is configured. */
export const IDENTITY_KEY_ALGORITHM = 'ES256';

/** A private key that signs identity tokens, with the `kid` its public half is published under. */
export interface IdentityKeyPair {
  readonly kind: 'keyPair';
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The RFC 7638 thumbprint of the public key, so every process derives the same `kid`. */
  readonly kid: string;
}

/** A secret shared by signer and verifiers (HS256): development, or a migration to key pairs. */
export interface SharedSecret {
  readonly kind: 'secret';
  readonly secret: Uint8Array;
}

export type SigningKey = IdentityKeyPair | SharedSecret;

/** Reads a PEM EC P-256 private key from `variable`; `undefined` when unset. */
export function readPrivateKey(variable: string, raw: string | undefined): IdentityKeyPair | undefined {
  const privateKey = readPemKey(variable, raw, 'private');
  if (privateKey === undefined) return undefined;
  const publicKey = createPublicKey(privateKey);
  return Object.freeze({ kind: 'keyPair', privateKey, publicKey, kid: keyId(publicKey) });
}

/** Reads a PEM EC P-256 public key from `variable`; `undefined` when unset. */
export function readPublicKey(variable: string, raw: string | undefined): KeyObject | undefined {
  return readPemKey(variable, raw, 'public');
}

function readPemKey(variable: string, raw: string | undefined, half: 'private' | 'public'): KeyObject | undefined {
  const value = raw?.trim() ?? '';
  if (value === '') return undefined;
  // Environment variables cannot always hold newlines; `\n` escapes stand for them.
  const pem = value.replace(/\\n/g, '\n');
  let key: KeyObject;
  try {
    // A private key's PEM would also yield its public half; only a public key is meant here.
    if (half === 'public' && pem.includes('PRIVATE KEY')) throw new Error('a private key');
    key = half === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
  } catch {
    throw new ConfigError(variable, `a PEM ${half} key (-----BEGIN ${half.toUpperCase()} KEY-----)`, `${pem.slice(0, 20)}...`);
  }
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType !== 'ec' || curve !== 'prime256v1') {
    throw new ConfigError(variable, `an EC P-256 ${half} key (ES256)`, `${key.asymmetricKeyType ?? 'unknown'} ${curve ?? ''}`.trim());
  }
  return key;
}

/** An EC public key as a JWKS entry. */
export interface PublishedJwk {
  readonly kty: string;
  readonly crv: string;
  readonly x: string;
  readonly y: string;
  readonly kid: string;
  readonly alg: string;
  readonly use: 'sig';
}

/** The RFC 7638 JWK thumbprint of an EC public key. */
export function keyId(publicKey: KeyObject): string {
  const { crv, kty, x, y } = ecMembers(publicKey);
  // The members in lexicographic order, no whitespace: the thumbprint's canonical form.
  return createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');
}

/** The public half of a key pair as a JWKS entry. */
export function publicJwk(keyPair: IdentityKeyPair): PublishedJwk {
  return { ...ecMembers(keyPair.publicKey), kid: keyPair.kid, alg: IDENTITY_KEY_ALGORITHM, use: 'sig' };
}

function ecMembers(publicKey: KeyObject): { crv: string; kty: string; x: string; y: string } {
  const { crv, kty, x, y }: JsonWebKey = publicKey.export({ format: 'jwk' });
  if (crv === undefined || kty === undefined || x === undefined || y === undefined) throw new Error('not an EC public key');
  return { crv, kty, x, y };
}

/** A fresh EC P-256 key pair as PEM, for development systems that were given none. */
export function generateIdentityKeyPem(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}
