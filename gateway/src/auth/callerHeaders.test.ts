import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_ISSUER, GATEWAY_TOKEN_HEADER, GatewayTokenSigner } from '../../../lib/gatewayToken.js';
import { GatewayTokenVerifier } from '../../../lib/GatewayTokenVerifier.js';
import { generateIdentityKeyPem, readPrivateKey } from '../../../lib/identityKeys.js';
import { startRecordingSubgraph, type RecordingSubgraph } from '../../../test/support/recordingSubgraph.js';
import type { GatewayContext } from '../context.js';
import { SubgraphCalls } from '../resilience/SubgraphCalls.js';
import { SubgraphDataSource } from '../SubgraphDataSource.js';

const keys = readPrivateKey('TEST_KEY', generateIdentityKeyPem().privateKey)!;
const verifier = new GatewayTokenVerifier({
  gatewayPublicKey: keys.publicKey,
  gatewayJwksUrl: undefined,
  serviceKeys: new Map(),
  sharedSecret: undefined,
  jwksCacheMaxAgeMs: 600_000,
});

describe('what a subgraph learns of the caller', () => {
  let subgraph: RecordingSubgraph;
  let calls: SubgraphCalls;
  let dataSource: SubgraphDataSource;
  beforeAll(async () => {
    subgraph = await startRecordingSubgraph();
    calls = new SubgraphCalls({ timeoutMs: 2_000, breakerThreshold: 5, breakerCooldownMs: 10_000, maxConnections: 8, deduplicateQueries: false });
    dataSource = new SubgraphDataSource('reviews', subgraph.url, new GatewayTokenSigner(keys, GATEWAY_ISSUER), calls.forService('reviews'));
  });
  afterAll(async () => {
    await calls.close();
    await subgraph.close();
  });

  const lastRequestHeaders = () => subgraph.requests.at(-1)?.headers ?? {};

  it('the allow-listed client headers, the request id, and who calls only as the gateway signed it', async () => {
    const context = {
      viewer: { sub: 'u1', scopes: new Set(['admin']) },
      requestId: 'r-7',
      caller: 'user:u1',
      forwardedHeaders: { 'accept-language': 'de' },
      changedEntities: new Set(),
    };
    await dataSource.process({
      kind: 'incoming operation',
      // A copy of the token header already on the request never reaches the subgraph.
      request: { query: '{__typename}', http: { method: 'POST', url: '', headers: new Headers({ [GATEWAY_TOKEN_HEADER]: 'forged' }) } },
      context,
      incomingRequestContext: { operation: { operation: 'query' }, request: {}, context },
    } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>);
    const headers = lastRequestHeaders();
    expect({ language: headers['accept-language'], requestId: headers['x-request-id'], contentType: headers['content-type'] }).toEqual({
      language: 'de',
      requestId: 'r-7',
      contentType: 'application/json',
    });
    expect(await verifier.verify(String(headers[GATEWAY_TOKEN_HEADER]))).toEqual({ sub: 'u1', scopes: ['admin'], issuer: 'gateway' });
  });

  it("nobody, for the gateway's own requests such as health checks", async () => {
    await dataSource.process({ kind: GraphQLDataSourceRequestKind.HEALTH_CHECK, request: { query: '{__typename}' }, context: {} });
    const headers = lastRequestHeaders();
    expect(headers['x-request-id']).toBeUndefined();
    expect(await verifier.verify(String(headers[GATEWAY_TOKEN_HEADER]))).toEqual({ sub: null, scopes: [], issuer: 'gateway' });
  });
});
