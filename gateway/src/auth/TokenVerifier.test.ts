import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
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

  it('refuses a token whose scopes hold whitespace or control characters, rather than reading them as other scopes', async () => {
    expect(await refusal(hs, sign({ sub: 'u7', scopes: ['x admin'] }))).toBe('invalid: The access token has a scope with whitespace or control characters.');
    expect(await refusal(hs, sign({ sub: 'u7', scopes: ['admin\u0000'] }))).toBe(
      'invalid: The access token has a scope with whitespace or control characters.',
    );
    expect(await refusal(hs, sign({ sub: 'u7', scope: 'read x\tadmin' }))).toBe('invalid: The access token has a scope with whitespace or control characters.');
    expect(await refusal(hs, sign({ sub: 'u7', scopes: [42] }))).toBe('invalid: The access token has a scope with whitespace or control characters.');
    expect([...(await hs.verify(sign({ sub: 'u7', scope: ' read  write ' }))).scopes].sort()).toEqual(['read', 'write']);
  });

  it('refuses a token without an expiry when expiry is required, and accepts it otherwise', async () => {
    const eternal = jwt.sign({ sub: 'u7' }, SECRET, { algorithm: 'HS256' });
    const strict = new TokenVerifier({ keys: { kind: 'secret', secret: SECRET }, requireExp: true });
    expect(await refusal(strict, eternal)).toBe('invalid: The access token has no expiry (exp).');
    expect((await new TokenVerifier({ keys: { kind: 'secret', secret: SECRET } }).verify(eternal)).sub).toBe('u7');
  });

  it('tells an expired token from an invalid one', async () => {
    expect(await refusal(hs, sign({ sub: 'u7' }, { expiresIn: -60 }))).toBe('expired: The access token has expired.');
    // The signature's first character: every one of its bits counts, unlike the last one's.
    const [header = '', payload = '', signature = ''] = sign({ sub: 'u7' }).split('.');
    expect(await refusal(hs, `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`)).toBe(
      'invalid: The access token is invalid.',
    );
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

  it('remembers a verified token only until it expires', async () => {
    const verifier = new TokenVerifier({ keys: { kind: 'secret', secret: SECRET }, clockToleranceSeconds: 0 });
    const token = jwt.sign({ sub: 'u7' }, SECRET, { algorithm: 'HS256', expiresIn: 1 });
    expect((await verifier.verify(token)).sub).toBe('u7');
    expect((await verifier.verify(token)).sub).toBe('u7');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await refusal(verifier, token)).toBe('expired: The access token has expired.');
  });
});

describe('bearer tokens verified against a JWKS endpoint', () => {
  const pair = (kid: string) => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' } };
  };
  const k1 = pair('k1');
  const k2 = pair('k2');
  let published = [k1.jwk];
  let fetches = 0;
  let down = false;
  let url = '';
  const server = createServer((_req, res) => {
    fetches += 1;
    if (down) {
      res.statusCode = 503;
      res.end();
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: published }));
  });
  const sign = (key: { privateKey: KeyObject }, kid: string | undefined, sub = 'u3') =>
    jwt.sign({ sub }, key.privateKey, { algorithm: 'ES256', expiresIn: 600, ...(kid === undefined ? {} : { keyid: kid }) });

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  afterEach(() => {
    vi.useRealTimers();
    published = [k1.jwk];
    fetches = 0;
    down = false;
  });

  it('keeps verifying with the last key set while the JWKS endpoint is down, trying it again at most every 30 s', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const verifier = new TokenVerifier({ keys: { kind: 'jwks', url }, jwksCacheMaxAgeMs: 1000 });
    expect((await verifier.verify(sign(k1, 'k1', 'before'))).sub).toBe('before');
    down = true;
    vi.setSystemTime(Date.now() + 2_000);
    for (const sub of ['during-1', 'during-2', 'during-3']) expect((await verifier.verify(sign(k1, 'k1', sub))).sub).toBe(sub);
    expect(fetches).toBe(2);
    vi.setSystemTime(Date.now() + 31_000);
    expect((await verifier.verify(sign(k1, 'k1', 'still-down'))).sub).toBe('still-down');
    expect(fetches).toBe(3);
    down = false;
    published = [k2.jwk];
    vi.setSystemTime(Date.now() + 31_000);
    // Back up: the set it serves now counts, and the removed key with it.
    expect(await refusal(verifier, sign(k1, 'k1', 'after'))).toBe('invalid: The access token is invalid.');
    expect(fetches).toBe(4);
  });

  it('stops accepting a remembered token within JWKS_CACHE_MAX_AGE_MS once its key is removed', async () => {
    const verifier = new TokenVerifier({ keys: { kind: 'jwks', url }, jwksCacheMaxAgeMs: 1000 });
    const token = sign(k1, 'k1');
    expect((await verifier.verify(token)).sub).toBe('u3');
    published = [k2.jwk];
    expect((await verifier.verify(token)).sub).toBe('u3');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await refusal(verifier, token)).toBe('invalid: The access token is invalid.');
    expect((await verifier.verify(sign(k2, 'k2'))).sub).toBe('u3');
    expect(fetches).toBe(2);
  });

  it('accepts a token without kid when the set holds exactly one suitable key, and refuses it when it holds two', async () => {
    expect((await new TokenVerifier({ keys: { kind: 'jwks', url } }).verify(sign(k1, undefined))).sub).toBe('u3');
    published = [k1.jwk, k2.jwk];
    expect(await refusal(new TokenVerifier({ keys: { kind: 'jwks', url } }), sign(k1, undefined))).toBe('invalid: The access token is invalid.');
  });

  it('refetches the set for unknown kids at most once per 30 s, and then finds a key published since', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const verifier = new TokenVerifier({ keys: { kind: 'jwks', url } });
    for (let n = 0; n < 5; n += 1) expect(await refusal(verifier, sign(k2, `forged-${n}`))).toBe('invalid: The access token is invalid.');
    expect(fetches).toBe(1);
    published = [k1.jwk, k2.jwk];
    expect(await refusal(verifier, sign(k2, 'k2'))).toBe('invalid: The access token is invalid.');
    expect(fetches).toBe(1);
    vi.setSystemTime(Date.now() + 31_000);
    expect((await verifier.verify(sign(k2, 'k2'))).sub).toBe('u3');
    for (let n = 0; n < 5; n += 1) await refusal(verifier, sign(k2, `forged-again-${n}`));
    expect(fetches).toBe(2);
  });
});
