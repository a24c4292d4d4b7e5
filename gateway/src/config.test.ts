import { describe, expect, it } from 'vitest';
import { readGatewayConfig } from './config.js';

describe('gateway configuration', () => {
  it('starts from documented defaults when nothing is set', () => {
    const config = readGatewayConfig({});
    expect(config).toMatchObject({ production: false, port: 4000, host: '127.0.0.1', maxBodyBytes: 1_048_576, subgraphUrls: {} });
    expect(config.supergraphPath).toMatch(/schema\/supergraph\.graphql$/);
    expect(Object.isFrozen(config)).toBe(true);
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
  ])('refuses %s=%s, naming the variable', (variable, value, message) => {
    expect(() => readGatewayConfig({ [variable]: value })).toThrow(message);
  });
});
