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

describe('a subgraph’s event and fulfilment settings', () => {
  it('steps orders every 30 s unless FULFILMENT_STEP_MS says otherwise, and refuses 0 or a non-number naming the variable', () => {
    expect(readSubgraphConfig('orders', 4005, [], {}).fulfilmentStepMs).toBe(30_000);
    expect(readSubgraphConfig('orders', 4005, [], { FULFILMENT_STEP_MS: '200' }).fulfilmentStepMs).toBe(200);
    for (const bad of ['0', '-5', 'soon', '1.5']) {
      expect(() => readSubgraphConfig('orders', 4005, [], { FULFILMENT_STEP_MS: bad })).toThrow(
        expect.objectContaining({ name: 'ConfigError', variable: 'FULFILMENT_STEP_MS' }),
      );
    }
  });

  it('queues fulfilment on REDIS_URL unless QUEUE_REDIS_URL names another Redis, and refuses a URL that is not Redis', () => {
    expect(readSubgraphConfig('orders', 4005, [], {})).toMatchObject({ redisUrl: undefined, queueRedisUrl: undefined });
    expect(readSubgraphConfig('orders', 4005, [], { REDIS_URL: 'redis://r:6379' })).toMatchObject({
      redisUrl: 'redis://r:6379',
      queueRedisUrl: 'redis://r:6379',
    });
    expect(readSubgraphConfig('orders', 4005, [], { REDIS_URL: 'redis://r:6379', QUEUE_REDIS_URL: 'redis://q:6379/2' }).queueRedisUrl).toBe('redis://q:6379/2');
    expect(() => readSubgraphConfig('orders', 4005, [], { REDIS_URL: 'http://r:6379' })).toThrow(/REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/);
    expect(() => readSubgraphConfig('orders', 4005, [], { CACHE_PURGE_URL: 'gateway/cache' })).toThrow(/CACHE_PURGE_URL must be an absolute URL/);
  });
});
