import { describe, expect, it } from 'vitest';
import { generateIdentityKeyPem } from '../../lib/identityKeys.js';
import { readGatewayConfig } from './config.js';

const SIGNING_KEY = generateIdentityKeyPem().privateKey;

describe('gateway configuration', () => {
  it('refuses to start in production without a way to verify tokens', () => {
    expect(() => readGatewayConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET must be set in production/);
    expect(readGatewayConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), GATEWAY_SIGNING_KEY: SIGNING_KEY }).jwtDevelopmentSecret).toBe(false);
  });

  it('refuses to sign identities in production with anything but a key pair, a shared secret included', () => {
    expect(() => readGatewayConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) })).toThrow(/GATEWAY_SIGNING_KEY must be set in production/);
    expect(() => readGatewayConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), GATEWAY_SECRET: 'y'.repeat(32) })).toThrow(
      /GATEWAY_SIGNING_KEY must be set in production/,
    );
    expect(
      readGatewayConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), GATEWAY_SIGNING_KEY: SIGNING_KEY.replace(/\n/g, '\\n') }).gatewaySigningKey.kind,
    ).toBe('keyPair');
    expect(readGatewayConfig({ GATEWAY_SECRET: 'y'.repeat(32) }).gatewaySigningKey.kind).toBe('secret');
  });

  it('requires an expiry on bearer tokens in production unless JWT_REQUIRE_EXP=off', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), GATEWAY_SIGNING_KEY: SIGNING_KEY };
    expect([
      readGatewayConfig(production).jwtRequireExp,
      readGatewayConfig({ ...production, JWT_REQUIRE_EXP: 'false' }).jwtRequireExp,
      readGatewayConfig({}).jwtRequireExp,
    ]).toEqual([true, false, false]);
  });

  it('uses the development secret only outside production, and says so', () => {
    expect(readGatewayConfig({}).jwtDevelopmentSecret).toBe(true);
  });

  it('starts from documented defaults when nothing is set', () => {
    const config = readGatewayConfig({});
    expect(config).toMatchObject({ production: false, port: 4000, host: '127.0.0.1', maxBodyBytes: 1_048_576, subgraphUrls: {} });
    expect(config.supergraphPath).toMatch(/schema\/supergraph\.graphql$/);
    expect(config).toMatchObject({
      metricsPort: 9464,
      metricsHost: '127.0.0.1',
      clientConnections: { requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, maxConnections: 10_000 },
      documentCacheMaxBytes: 30 * 1024 * 1024,
      queryPlanCacheMaxBytes: 30 * 1024 * 1024,
      cacheMaxBytes: 64 * 1024 * 1024,
      queryPlanExecutor: 'fast',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('runs plans on the stock executor when traces are exported, since its spans come from there', () => {
    expect(readGatewayConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }).queryPlanExecutor).toBe('stock');
    expect(readGatewayConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', QUERY_PLAN_EXECUTOR: 'fast' }).queryPlanExecutor).toBe('fast');
  });

  it('reads subgraph URL overrides by name', () => {
    expect(readGatewayConfig({ SUBGRAPH_PRODUCTS_URL: 'http://products:4002/graphql' }).subgraphUrls).toEqual({ products: 'http://products:4002/graphql' });
  });

  it.each([
    ['PORT', 'eighty', /PORT must be an integer from 0 to 65535; got "eighty"/],
    ['PORT', '70000', /PORT must be an integer/],
    ['MAX_BODY_BYTES', '-1', /MAX_BODY_BYTES must be an integer/],
    ['NODE_ENV', 'prod', /NODE_ENV must be one of production, development, test; got "prod"/],
    ['SUBGRAPH_ORDERS_URL', 'not a url', /SUBGRAPH_ORDERS_URL must be an http\(s\) URL/],
    ['JWT_SECRET', 'short', /JWT_SECRET must be at least 32 characters/],
    ['GATEWAY_SECRET', 'short', /GATEWAY_SECRET must be at least 32 characters/],
    ['GATEWAY_SIGNING_KEY', 'not-a-pem', /GATEWAY_SIGNING_KEY must be a PEM private key/],
    ['GATEWAY_SIGNING_KEY', generateIdentityKeyPem().publicKey, /GATEWAY_SIGNING_KEY must be a PEM private key/],
    ['JWT_REQUIRE_EXP', 'sometimes', /JWT_REQUIRE_EXP must be on or off/],
    ['JWKS_CACHE_MAX_AGE_MS', '10', /JWKS_CACHE_MAX_AGE_MS must be an integer from 1000/],
    ['JWT_PUBLIC_KEY', 'not-a-pem', /JWT_PUBLIC_KEY must be a PEM public key/],
    ['JWKS_URL', 'ftp://keys', /JWKS_URL must be an http\(s\) URL/],
    ['REDIS_URL', 'localhost:6379', /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/],
    ['RATE_LIMIT_REQUESTS', '0', /RATE_LIMIT_REQUESTS must be an integer from 1/],
    ['RATE_LIMIT_COST_PER_WINDOW', '10', /RATE_LIMIT_COST_PER_WINDOW must be at least QUERY_MAX_COST \(50000\)/],
    ['QUERY_MAX_DEPTH', 'deep', /QUERY_MAX_DEPTH must be an integer/],
    ['CORS_ORIGINS', 'https://shop.example/path', /CORS_ORIGINS must be comma-separated origins/],
    ['FORWARD_HEADERS', 'accept-language, Authorization', /FORWARD_HEADERS must be free of headers the gateway owns/],
    ['TRUST_PROXY_HOPS', '-1', /TRUST_PROXY_HOPS must be an integer from 0 to 10/],
    ['METRICS_PORT', '99999', /METRICS_PORT must be an integer from 0 to 65535/],
    ['REQUEST_TIMEOUT_MS', '0', /REQUEST_TIMEOUT_MS must be an integer from 100/],
    ['HEADERS_TIMEOUT_MS', '60000', /HEADERS_TIMEOUT_MS must be at most REQUEST_TIMEOUT_MS \(30000\)/],
    ['MAX_CONNECTIONS', 'many', /MAX_CONNECTIONS must be an integer/],
    ['DOCUMENT_CACHE_MAX_BYTES', '10', /DOCUMENT_CACHE_MAX_BYTES must be an integer from 1048576/],
    ['QUERY_PLAN_EXECUTOR', 'turbo', /QUERY_PLAN_EXECUTOR must be fast or stock; got "turbo"/],
  ])('refuses %s=%s, naming the variable', (variable, value, message) => {
    expect(() => readGatewayConfig({ [variable]: value })).toThrow(message);
  });

  it('allows Apollo Sandbox and local pages in development and no foreign origin in production', () => {
    expect(readGatewayConfig({}).corsOrigins).toEqual(expect.arrayContaining(['https://studio.apollographql.com', 'http://localhost:*']));
    expect(readGatewayConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), GATEWAY_SIGNING_KEY: SIGNING_KEY }).corsOrigins).toEqual([]);
    expect(readGatewayConfig({ CORS_ORIGINS: 'https://shop.example, http://localhost:*' }).corsOrigins).toEqual(['https://shop.example', 'http://localhost:*']);
  });
});
