import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { InvalidTokenError, TokenVerifier } from './TokenVerifier.js';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaPublicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();

async function refusal(verifier: TokenVerifier, token: string): Promise<string> {
  const error = await verifier.verify(token).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof InvalidTokenError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return `${error.reason}: ${error.message}`;
}

describe('bearer token verification', () => {
  const hs = new TokenVerifier({ keys: { kind: 'secret', secret: SECRET }, issuer: 'https://id.example', audience: 'shop' });
  const sign = (claims: object, options: jwt.SignOptions = {}) =>
    jwt.sign(claims, SECRET, { algorithm: 'HS256', issuer: 'https://id.example', audience: 'shop', expiresIn: 60, ...options });

  it('accepts a valid token and reads scopes from `scope` and `scopes`', async () => {
    const viewer = await hs.verify(sign({ sub: 'u7', scope: 'admin read', scopes: ['write'] }));
    expect({ sub: viewer.sub, scopes: [...viewer.scopes].sort() }).toEqual({ sub: 'u7', scopes: ['admin', 'read', 'write'] });
  });

  it('tells an expired token from an invalid one', async () => {
    expect(await refusal(hs, sign({ sub: 'u7' }, { expiresIn: -60 }))).toBe('expired: The access token has expired.');
    expect(await refusal(hs, sign({ sub: 'u7' }).slice(0, -2) + 'xx')).toBe('invalid: The access token is invalid.');
  });

  it.each([
    ['a wrong issuer', () => sign({ sub: 'u7' }, { issuer: 'https://evil.example' })],
    ['a wrong audience', () => sign({ sub: 'u7' }, { audience: 'other' })],
    ['no subject', () => sign({ scope: 'admin' })],
    ['alg none', () => jwt.sign({ sub: 'u7', iss: 'https://id.example', aud: 'shop' }, '', { algorithm: 'none' })],
    ['garbage', () => 'not.a.token'],
  ])('refuses %s', async (_case, token) => {
    expect(await refusal(hs, token())).toBe('invalid: The access token is invalid.');
  });

  it('refuses an HMAC token signed with the public key when the configured key is RSA', async () => {
    const rs = new TokenVerifier({ keys: { kind: 'publicKey', pem: rsaPublicPem } });
    expect((await rs.verify(jwt.sign({ sub: 'u1' }, rsa.privateKey, { algorithm: 'RS256' }))).sub).toBe('u1');
    // The classic confusion attack: the public key (which anyone has) used as an HMAC secret.
    const forged = jwt.sign({ sub: 'admin' }, rsaPublicPem, { algorithm: 'HS256', allowInsecureKeySizes: true } as jwt.SignOptions);
    expect(await refusal(rs, forged)).toBe('invalid: The access token is invalid.');
  });

  it('fetches JWKS keys, refetches for a new kid at most once per 30 s, and refuses unknown kids', async () => {
    const jwk = { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig' };
    let fetches = 0;
    const server = createServer((_req, res) => {
      fetches += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const verifier = new TokenVerifier({ keys: { kind: 'jwks', url: `http://127.0.0.1:${port}/jwks.json` } });
      const token = jwt.sign({ sub: 'u3' }, rsa.privateKey, { algorithm: 'RS256', keyid: 'k1' });
      expect((await verifier.verify(token)).sub).toBe('u3');
      expect((await verifier.verify(token)).sub).toBe('u3');
      const unknown = jwt.sign({ sub: 'u3' }, rsa.privateKey, { algorithm: 'RS256', keyid: 'rotated' });
      expect(await refusal(verifier, unknown)).toBe('invalid: The access token is invalid.');
      expect(await refusal(verifier, unknown)).toBe('invalid: The access token is invalid.');
      expect(fetches).toBe(1);
    } finally {
      server.close();
    }
  });

  it('remembers a verified token only until it expires', async () => {
    const verifier = new TokenVerifier({ keys: { kind: 'secret', secret: SECRET }, clockToleranceSeconds: 0 });
    const token = jwt.sign({ sub: 'u7' }, SECRET, { algorithm: 'HS256', expiresIn: 1 });
    expect((await verifier.verify(token)).sub).toBe('u7');
    expect((await verifier.verify(token)).sub).toBe('u7');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await refusal(verifier, token)).toBe('expired: The access token has expired.');
  });
});
