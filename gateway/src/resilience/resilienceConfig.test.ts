import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { generateIdentityKeyPem } from '../../../lib/identityKeys.js';
import { readGatewayConfig } from '../config.js';

const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), GATEWAY_SIGNING_KEY: generateIdentityKeyPem().privateKey };

describe('resilience configuration', () => {
  it('starts from documented defaults', () => {
    expect(readGatewayConfig({})).toMatchObject({
      subgraphCalls: { timeoutMs: 10_000, breakerThreshold: 5, breakerCooldownMs: 10_000, maxConnections: 128 },
      shutdownGraceMs: 10_000,
      workers: 1,
    });
  });

  it('runs one worker in every mode unless told otherwise, since containers scale with replicas', () => {
    expect(readGatewayConfig(production).workers).toBe(1);
    expect(readGatewayConfig({ ...production, REDIS_URL: 'redis://127.0.0.1:6379', GATEWAY_WORKERS: String(availableParallelism()) }).workers).toBe(
      availableParallelism(),
    );
  });

  it('refuses more than one worker without Redis, naming both variables', () => {
    expect(() => readGatewayConfig({ GATEWAY_WORKERS: '2' })).toThrow(/GATEWAY_WORKERS must be at most 1 without REDIS_URL/);
  });

  it('reads every setting from its variable', () => {
    const config = readGatewayConfig({
      SUBGRAPH_TIMEOUT_MS: '2500',
      SUBGRAPH_BREAKER_THRESHOLD: '3',
      SUBGRAPH_BREAKER_COOLDOWN_MS: '30000',
      SUBGRAPH_MAX_CONNECTIONS: '16',
      SHUTDOWN_GRACE_MS: '0',
      GATEWAY_WORKERS: '4',
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(config).toMatchObject({
      subgraphCalls: { timeoutMs: 2_500, breakerThreshold: 3, breakerCooldownMs: 30_000, maxConnections: 16 },
      shutdownGraceMs: 0,
      workers: 4,
    });
  });

  it.each([
    ['SUBGRAPH_TIMEOUT_MS', '0', /SUBGRAPH_TIMEOUT_MS must be an integer from 1 to 600000; got "0"/],
    ['SUBGRAPH_TIMEOUT_MS', '1.5s', /SUBGRAPH_TIMEOUT_MS must be an integer/],
    ['SUBGRAPH_BREAKER_THRESHOLD', '0', /SUBGRAPH_BREAKER_THRESHOLD must be an integer from 1 to 1000/],
    ['SUBGRAPH_BREAKER_COOLDOWN_MS', 'soon', /SUBGRAPH_BREAKER_COOLDOWN_MS must be an integer/],
    ['SUBGRAPH_MAX_CONNECTIONS', '0', /SUBGRAPH_MAX_CONNECTIONS must be an integer from 1 to 10000/],
    ['SHUTDOWN_GRACE_MS', '-1', /SHUTDOWN_GRACE_MS must be an integer from 0 to 600000/],
    ['GATEWAY_WORKERS', '0', /GATEWAY_WORKERS must be an integer from 1 to 256; got "0"/],
    ['GATEWAY_WORKERS', 'auto', /GATEWAY_WORKERS must be an integer/],
  ])('refuses %s=%s, naming the variable', (variable, value, message) => {
    expect(() => readGatewayConfig({ [variable]: value })).toThrow(message);
  });
});
