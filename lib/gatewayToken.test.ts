import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { GatewayTokenSigner, verifyGatewayToken } from './gatewayToken.js';

const SECRET = 'shared-gateway-secret-for-tests';

describe('the gateway identity token', () => {
  const signer = new GatewayTokenSigner(SECRET, 'gateway');

  it('carries the caller and scopes to a subgraph that shares the secret', () => {
    expect(verifyGatewayToken(SECRET, signer.sign('u7', ['admin', 'read']))).toEqual({ sub: 'u7', scopes: ['admin', 'read'], issuer: 'gateway' });
    expect(verifyGatewayToken(SECRET, signer.sign(null))).toEqual({ sub: null, scopes: [], issuer: 'gateway' });
  });

  it('is reused rather than re-signed for the same caller', () => {
    expect(signer.sign('u7', ['read'])).toBe(signer.sign('u7', ['read']));
  });

  it.each([
    ['missing', undefined],
    ['signed with another secret', new GatewayTokenSigner('another-secret', 'gateway').sign('admin', ['admin'])],
    ['expired', jwt.sign({ sub: 'u7' }, SECRET, { algorithm: 'HS256', audience: 'supergate-subgraphs', issuer: 'gateway', expiresIn: -60 })],
    ['for another audience', jwt.sign({ sub: 'u7' }, SECRET, { algorithm: 'HS256', audience: 'elsewhere', issuer: 'gateway' })],
  ])('is refused when %s', (_case, token) => {
    expect(verifyGatewayToken(SECRET, token)).toBeNull();
  });
});
