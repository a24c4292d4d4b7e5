import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerJson, startRecordingSubgraph, type RecordingSubgraph } from '../../../test/support/recordingSubgraph.js';
import type { GatewayContext } from '../context.js';
import { cacheHintOf } from './subgraphCacheHint.js';

const HEADERS = [
  undefined,
  '',
  'max-age=30, public',
  'max-age=30,private',
  'public, private',
  'private, public',
  'max-age="60", private',
  'Max-Age=30, PUBLIC',
  'max-age=30s',
  '  max-age = 5 ,  public ',
  'no-store',
  'max-age=10, max-age=20',
  'private=foo, public',
  'max-age=-1',
  'max-age=1.5',
  's-maxage=60',
];

describe("a subgraph's Cache-Control header", () => {
  let subgraph: RecordingSubgraph;
  beforeAll(async () => {
    // Answers with the header the request's variables name.
    subgraph = await startRecordingSubgraph((request, res) => {
      const header = (JSON.parse(request.body) as { variables: { cacheControl?: string } }).variables.cacheControl;
      answerJson(res, { data: {} }, 200, header === undefined ? {} : { 'cache-control': header });
    });
  });
  afterAll(() => subgraph.close());

  /** The hint @apollo/gateway's own data source narrows a request's cache policy by, for an answer carrying `header`. */
  async function stockHint(header: string | undefined): Promise<unknown> {
    const hints: unknown[] = [];
    const stock = new RemoteGraphQLDataSource<GatewayContext>({ url: subgraph.url, fetcher: (url, init) => fetch(url, init) });
    await stock.process({
      kind: 'incoming operation',
      request: { query: '{__typename}', variables: header === undefined ? {} : { cacheControl: header } },
      context: {},
      incomingRequestContext: { overallCachePolicy: { restrict: (hint: unknown) => hints.push(hint) } },
    } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>);
    expect(hints).toHaveLength(1);
    return hints[0];
  }

  it.each(HEADERS)('%j is read exactly as @apollo/gateway reads it', async (header) => {
    expect(cacheHintOf(header)).toEqual(await stockHint(header));
  });

  it('gives the age and scope a subgraph sets', () => {
    expect(cacheHintOf('max-age=30, public')).toEqual({ maxAge: 30, scope: 'PUBLIC' });
    expect(cacheHintOf('max-age=5, private')).toEqual({ maxAge: 5, scope: 'PRIVATE' });
    expect(cacheHintOf(null)).toEqual({ maxAge: 0 });
  });
});
