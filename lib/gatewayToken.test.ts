import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_ISSUER, GATEWAY_TOKEN_AUDIENCE, GatewayTokenSigner, readGatewaySecret } from './gatewayToken.js';
import { GatewayTokenVerifier, type GatewayTrust } from './GatewayTokenVerifier.js';
import { generateIdentityKeyPem, publicJwk, readPrivateKey, type IdentityKeyPair, type SigningKey } from './identityKeys.js';

const SECRET = readGatewaySecret('shared-gateway-secret-for-tests-0123456789')!;

function keyPair(): IdentityKeyPair {
  return readPrivateKey('TEST_KEY', generateIdentityKeyPem().privateKey)!;
}

const gatewayKeys = keyPair();
const ordersKeys = keyPair();

function trust(overrides: Partial<GatewayTrust> = {}): GatewayTrust {
  return {
    gatewayPublicKey: gatewayKeys.publicKey,
    gatewayJwksUrl: undefined,
    serviceKeys: new Map([['orders', ordersKeys.publicKey]]),
    sharedSecret: undefined,
    jwksCacheMaxAgeMs: 600_000,
    ...overrides,
  };
}

/** A token made by hand, with whatever claims and signer a forger would choose. */
function forge(
  key: SigningKey,
  claims: Record<string, unknown>,
  options: { issuer?: string; audience?: string; expiresIn?: string | null } = {},
): Promise<string> {
  const jwt = new SignJWT(claims)
    .setIssuer(options.issuer ?? GATEWAY_ISSUER)
    .setAudience(options.audience ?? GATEWAY_TOKEN_AUDIENCE)
    .setIssuedAt();
  if (options.expiresIn !== null) jwt.setExpirationTime(options.expiresIn ?? '60s');
  if (key.kind === 'secret') return jwt.setProtectedHeader({ alg: 'HS256' }).sign(key.secret);
  return jwt.setProtectedHeader({ alg: 'ES256', kid: key.kid }).sign(key.privateKey);
}

describe('the identity token on subgraph requests', () => {
  const gateway = new GatewayTokenSigner(gatewayKeys, GATEWAY_ISSUER);
  const verifier = new GatewayTokenVerifier(trust());

  it("carries the caller and the scopes exactly as the gateway read them, signed with the gateway's key", async () => {
    expect(await verifier.verify(await gateway.sign('u7', ['read', 'admin']))).toEqual({ sub: 'u7', scopes: ['admin', 'read'], issuer: 'gateway' });
    expect(await verifier.verify(await gateway.sign(null))).toEqual({ sub: null, scopes: [], issuer: 'gateway' });
  });

  it('never turns one scope with a space into two: such a token is refused', async () => {
    expect(await verifier.verify(await forge(gatewayKeys, { sub: 'u7', scopes: ['x admin'] }))).toBeNull();
    expect(await verifier.verify(await forge(gatewayKeys, { sub: 'u7', scopes: ['admin\u0000'] }))).toBeNull();
    // The space-separated form is never read here: only the gateway's array counts.
    expect(await verifier.verify(await forge(gatewayKeys, { sub: 'u7', scope: 'x admin' }))).toEqual({ sub: 'u7', scopes: [], issuer: 'gateway' });
  });

  it('is reused rather than re-signed for the same caller, and differs for a different scope list', async () => {
    expect(await gateway.sign('u7', ['read'])).toBe(await gateway.sign('u7', ['read']));
    expect(await gateway.sign('u7', ['a b'])).not.toBe(await gateway.sign('u7', ['a', 'b']));
  });

  it('lets a service call as itself with its own key, and never as a user or as the gateway', async () => {
    const orders = new GatewayTokenSigner(ordersKeys, 'orders');
    expect(await verifier.verify(await orders.sign(null))).toEqual({ sub: null, scopes: [], issuer: 'orders' });
    expect(await verifier.verify(await forge(ordersKeys, { sub: 'u1', scopes: ['admin'] }))).toBeNull();
    expect(await verifier.verify(await forge(ordersKeys, { sub: 'u1', scopes: ['admin'] }, { issuer: 'orders' }))).toBeNull();
    expect(await verifier.verify(await forge(gatewayKeys, {}, { issuer: 'orders' }))).toBeNull();
    expect(await verifier.verify(await forge(keyPair(), {}, { issuer: 'products' }))).toBeNull();
  });

  it.each([
    ['missing', async () => undefined],
    ['garbage', async () => 'not.a.token'],
    ['signed with another key', () => new GatewayTokenSigner(keyPair(), GATEWAY_ISSUER).sign('admin', ['admin'])],
    ['signed with a shared secret no one configured', () => new GatewayTokenSigner(SECRET, GATEWAY_ISSUER).sign('admin', ['admin'])],
    ['expired', () => forge(gatewayKeys, { sub: 'u7' }, { expiresIn: '-60s' })],
    ['without an expiry', () => forge(gatewayKeys, { sub: 'u7' }, { expiresIn: null })],
    ['for another audience', () => forge(gatewayKeys, { sub: 'u7' }, { audience: 'elsewhere' })],
  ])('is refused when %s', async (_case, token) => {
    expect(await verifier.verify(await token())).toBeNull();
  });

  it('accepts GATEWAY_SECRET tokens only while that secret is configured', async () => {
    const token = await new GatewayTokenSigner(SECRET, GATEWAY_ISSUER).sign('u7', ['read']);
    expect(await new GatewayTokenVerifier(trust({ sharedSecret: SECRET })).verify(token)).toEqual({ sub: 'u7', scopes: ['read'], issuer: 'gateway' });
    expect(await verifier.verify(token)).toBeNull();
  });
});

describe("a subgraph that knows the gateway's keys only from its JWKS", () => {
  const current = keyPair();
  const rotatedIn = keyPair();
  const published = [current, rotatedIn];
  let fetches = 0;
  let url = '';
  const server = createServer((_req, res) => {
    fetches += 1;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: published.map(publicJwk) }));
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('verifies the gateway with any published key, fetching the set once, and never a service key posing as the gateway', async () => {
    const verifier = new GatewayTokenVerifier(trust({ gatewayPublicKey: undefined, gatewayJwksUrl: url }));
    expect(await verifier.verify(await new GatewayTokenSigner(current, GATEWAY_ISSUER).sign('u1', ['admin']))).toEqual({
      sub: 'u1',
      scopes: ['admin'],
      issuer: 'gateway',
    });
    expect(await verifier.verify(await new GatewayTokenSigner(rotatedIn, GATEWAY_ISSUER).sign('u2'))).toEqual({ sub: 'u2', scopes: [], issuer: 'gateway' });
    expect(await verifier.verify(await forge(ordersKeys, { sub: 'u1', scopes: ['admin'] }))).toBeNull();
    expect(fetches).toBe(1);
  });
});
