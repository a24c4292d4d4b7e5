import { describe, expect, it } from 'vitest';
import { generateIdentityKeyPem } from '../../lib/identityKeys.js';
import { readSubgraphConfig } from './config.js';

const gateway = generateIdentityKeyPem();
const orders = generateIdentityKeyPem();
const PEERS = { SUBGRAPH_PRODUCTS_URL: 'http://products:4002/graphql' };

describe('a subgraph’s identity settings', () => {
  it('refuses to start in production without the gateway’s public key, naming the variable', () => {
    expect(() => readSubgraphConfig('accounts', 4001, [], { NODE_ENV: 'production' })).toThrow(
      /GATEWAY_PUBLIC_KEY must be set in production \(or GATEWAY_JWKS_URL\)/,
    );
    expect(() => readSubgraphConfig('accounts', 4001, [], { NODE_ENV: 'production', GATEWAY_SECRET: 'y'.repeat(32) })).toThrow(
      /GATEWAY_PUBLIC_KEY must be set in production/,
    );
    expect(
      readSubgraphConfig('accounts', 4001, [], { NODE_ENV: 'production', GATEWAY_JWKS_URL: 'http://gateway:4000/.well-known/jwks.json' }).gatewayTrust
        .sharedSecret,
    ).toBeUndefined();
  });

  it('refuses to start a calling service in production without its own signing key', () => {
    const env = { NODE_ENV: 'production', GATEWAY_PUBLIC_KEY: gateway.publicKey, ...PEERS };
    expect(() => readSubgraphConfig('orders', 4005, ['products'], env)).toThrow(/SERVICE_SIGNING_KEY must be set in production/);
    expect(readSubgraphConfig('orders', 4005, ['products'], { ...env, SERVICE_SIGNING_KEY: orders.privateKey }).signingKey?.kind).toBe('keyPair');
  });

  it('trusts each SERVICE_<NAME>_PUBLIC_KEY as that service, and no service named gateway', () => {
    const config = readSubgraphConfig('inventory', 4003, [], { GATEWAY_PUBLIC_KEY: gateway.publicKey, SERVICE_ORDERS_PUBLIC_KEY: orders.publicKey });
    expect([...config.gatewayTrust.serviceKeys.keys()]).toEqual(['orders']);
    expect(() => readSubgraphConfig('inventory', 4003, [], { SERVICE_GATEWAY_PUBLIC_KEY: orders.publicKey })).toThrow(
      /SERVICE_GATEWAY_PUBLIC_KEY must be named after a service/,
    );
    expect(() => readSubgraphConfig('inventory', 4003, [], { SERVICE_ORDERS_PUBLIC_KEY: 'not a key' })).toThrow(
      /SERVICE_ORDERS_PUBLIC_KEY must be a PEM public key/,
    );
  });

  it('accepts GATEWAY_SECRET next to key pairs only when it is set, and the development secret only when nothing is', () => {
    expect(readSubgraphConfig('accounts', 4001, [], {}).gatewayTrust.sharedSecret).toBeDefined();
    expect(readSubgraphConfig('accounts', 4001, [], { GATEWAY_PUBLIC_KEY: gateway.publicKey }).gatewayTrust.sharedSecret).toBeUndefined();
    expect(
      readSubgraphConfig('accounts', 4001, [], { GATEWAY_PUBLIC_KEY: gateway.publicKey, GATEWAY_SECRET: 'y'.repeat(32) }).gatewayTrust.sharedSecret,
    ).toBeDefined();
  });
});
