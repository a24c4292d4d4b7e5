import { generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { describe, expect, it } from 'vitest';
import { generateIdentityKeyPem, publicJwk, readPrivateKey, readPublicKey } from './identityKeys.js';

describe('identity keys from the environment', () => {
  const pem = generateIdentityKeyPem();

  it('publishes a key under its RFC 7638 thumbprint, the same kid every process derives', async () => {
    const pair = readPrivateKey('GATEWAY_SIGNING_KEY', pem.privateKey)!;
    const jwk = publicJwk(pair);
    expect(jwk.kid).toBe(await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }));
    expect(readPublicKey('GATEWAY_PUBLIC_KEY', pem.publicKey.replace(/\n/g, '\\n'))?.equals(pair.publicKey)).toBe(true);
  });

  it.each([
    [
      'a public key where the private one belongs',
      'GATEWAY_SIGNING_KEY',
      () => readPrivateKey('GATEWAY_SIGNING_KEY', pem.publicKey),
      /GATEWAY_SIGNING_KEY must be a PEM private key/,
    ],
    [
      'a private key where the public one belongs',
      'GATEWAY_PUBLIC_KEY',
      () => readPublicKey('GATEWAY_PUBLIC_KEY', pem.privateKey),
      /GATEWAY_PUBLIC_KEY must be a PEM public key/,
    ],
    [
      'an RSA key',
      'GATEWAY_SIGNING_KEY',
      () =>
        readPrivateKey(
          'GATEWAY_SIGNING_KEY',
          generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        ),
      /GATEWAY_SIGNING_KEY must be an EC P-256 private key \(ES256\); got "rsa"/,
    ],
  ])('refuses %s, naming %s', (_case, _variable, read, message) => {
    expect(read).toThrow(message);
  });
});
