import type { ServerResponse } from 'node:http';
import { RemoteGraphQLDataSource, type GraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types.js';
import { fetch } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { developmentGatewaySecret, GATEWAY_ISSUER, GatewayTokenSigner } from '../../../lib/gatewayToken.js';
import { answerJson, startRecordingSubgraph, type RecordingSubgraph } from '../../../test/support/recordingSubgraph.js';
import type { GatewayContext } from '../context.js';
import { SubgraphCalls } from '../resilience/SubgraphCalls.js';
import { SubgraphDataSource } from '../SubgraphDataSource.js';

const signer = new GatewayTokenSigner(developmentGatewaySecret(), GATEWAY_ISSUER);
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function subgraph(...args: Parameters<typeof startRecordingSubgraph>): Promise<RecordingSubgraph> {
  const started = await startRecordingSubgraph(...args);
  cleanups.push(() => started.close());
  return started;
}

function supergate(url: string): SubgraphDataSource {
  const calls = new SubgraphCalls({ timeoutMs: 2_000, breakerThreshold: 5, breakerCooldownMs: 10_000, maxConnections: 8, deduplicateQueries: false });
  cleanups.push(() => calls.close());
  return new SubgraphDataSource('products', url, signer, calls.forService('products'));
}

/** @apollo/gateway's own data source, over the same kind of connection. */
function stock(url: string): GraphQLDataSource<GatewayContext> {
  return new RemoteGraphQLDataSource<GatewayContext>({ url, fetcher: (target, init) => fetch(target, init) });
}

function healthCheck(request: Request): GraphQLDataSourceProcessOptions<GatewayContext> {
  return { kind: GraphQLDataSourceRequestKind.HEALTH_CHECK, request, context: {} };
}

type Request = GraphQLDataSourceProcessOptions<GatewayContext>['request'];

const REQUESTS: Request[] = [
  { query: 'query Q__products__0{topProducts{upc}}', variables: { first: 2 }, operationName: 'Q__products__0' },
  {
    variables: { representations: [{ __typename: 'Product', upc: '1' }] },
    query: 'query($representations:[_Any!]!){_entities(representations:$representations){...on Product{name}}}',
  },
  // As @apollo/gateway's executor sends a fetch the planner gave no name: the keys there, their values undefined.
  { query: '{__typename}', operationName: undefined, variables: undefined } as unknown as Request,
];

describe('requests to a subgraph', () => {
  it.each(REQUESTS)('are sent with the method, content type and body @apollo/gateway sends: %j', async (request) => {
    const received = await subgraph();
    await supergate(received.url).process(healthCheck({ ...request }));
    await stock(received.url).process(healthCheck({ ...request }));
    const [ours, theirs] = received.requests.map(({ method, headers, body }) => ({ method, contentType: headers['content-type'], body }));
    expect(ours).toEqual(theirs);
  });

  it('pass on the headers the executor asks for, such as federated traces', async () => {
    const received = await subgraph();
    await supergate(received.url).process(
      healthCheck({ query: '{__typename}', http: { method: 'POST', url: '', headers: new Headers({ 'apollo-federation-include-trace': 'ftv1' }) } }),
    );
    expect(received.requests[0]?.headers['apollo-federation-include-trace']).toBe('ftv1');
  });

  it('answer with what the subgraph answered, as @apollo/gateway does', async () => {
    const answer = {
      data: { topProducts: [{ upc: '1' }] },
      errors: [{ message: 'partly', path: ['topProducts', 0, 'name'] }],
      extensions: { changedEntities: [] },
    };
    const received = await subgraph((_request, res) => answerJson(res, answer, 200, { 'content-type': 'application/graphql-response+json; charset=utf-8' }));
    const request = { query: '{topProducts{upc name}}' };
    const { http: ours, ...oursBody } = await supergate(received.url).process(healthCheck({ ...request }));
    const { http: theirs, ...theirsBody } = await stock(received.url).process(healthCheck({ ...request }));
    expect(oursBody).toEqual(theirsBody);
    expect(oursBody).toEqual(answer);
    expect(ours?.headers.get('content-type')).toBe(theirs?.headers.get('content-type'));
  });

  it.each([
    ['an HTML page', (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>hello</h1>')],
    ['a JSON array', (res: ServerResponse) => answerJson(res, [{ data: {} }])],
    ['broken JSON', (res: ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":')],
  ])('fail as the subgraph’s error when it answers %s', async (_name, answer) => {
    const received = await subgraph((_request, res) => answer(res));
    const error = await supergate(received.url)
      .process(healthCheck({ query: '{__typename}' }))
      .then(
        () => expect.unreachable('the call succeeded'),
        (thrown: unknown) => thrown as { message: string; extensions: unknown },
      );
    expect({ message: error.message, extensions: error.extensions }).toEqual({
      message: 'The products service failed (HTTP 200).',
      extensions: { code: 'SUBGRAPH_ERROR', serviceName: 'products' },
    });
  });
});
