import type { Response } from 'undici';
import { subgraphCallError } from '../resilience/subgraphCallErrors.js';
import type { SubgraphFetcher } from '../resilience/SubgraphCalls.js';
import type { SubgraphRequest, SubgraphResponse } from './executorTypes.js';

/** Where one subgraph request goes and how. */
export interface SubgraphPost {
  readonly serviceName: string;
  readonly url: string;
  readonly fetcher: SubgraphFetcher;
}

/**
 * POSTs a GraphQL request to a subgraph and reads its answer, which must be a JSON
 * object; the HTTP response comes along as `http`, for its headers. Any failure
 * (no connection, the deadline, an HTTP error status, a body that is not a JSON
 * object) is thrown as the coded error a client may see.
 */
export async function postToSubgraph(target: SubgraphPost, request: SubgraphRequest['request'], headers: Headers): Promise<SubgraphResponse> {
  const { query, http: _sentWith, ...rest } = request;
  const init = { method: 'POST', headers: Object.fromEntries(headers), body: JSON.stringify({ query, ...rest }) } as const;
  let response: Response | undefined;
  try {
    response = await target.fetcher(target.url, init);
    if (!response.ok) {
      // Read to the end, so the connection goes back to the pool and a stalled body still times out.
      await response.text();
      throw new Error(`${response.status}: ${response.statusText}`);
    }
    const body = await readBody(response);
    if (!isJsonObject(body)) throw new Error('The answer is not a JSON object.');
    // Trusted as far as @apollo/gateway's own data source trusts it: any JSON object, its fields read by the executor.
    return { ...(body as Omit<SubgraphResponse, 'http'>), http: response };
  } catch (error) {
    throw subgraphCallError(target.serviceName, error, response?.status);
  }
}

/** JSON for the GraphQL media types, text otherwise: a subgraph's proxy may answer in HTML. */
function readBody(response: Response): Promise<unknown> {
  const contentType = response.headers.get('content-type');
  return contentType?.startsWith('application/json') || contentType?.startsWith('application/graphql-response+json') ? response.json() : response.text();
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
