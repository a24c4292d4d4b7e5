import { STATUS_CODES } from 'node:http';
import { subgraphCallError } from '../resilience/subgraphCallErrors.js';
import type { SubgraphFetcher, SubgraphHttpAnswer } from '../resilience/SubgraphCalls.js';
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
  let response: SubgraphHttpAnswer | undefined;
  try {
    response = await target.fetcher(target.url, init);
    if (response.status < 200 || response.status > 299) throw new Error(`${response.status}: ${STATUS_CODES[response.status] ?? ''}`);
    const body = readBody(response);
    if (!isJsonObject(body)) throw new Error('The answer is not a JSON object.');
    // Trusted as far as @apollo/gateway's own data source trusts it: any JSON object, its fields read by the executor.
    return { ...(body as Omit<SubgraphResponse, 'http'>), http: { headers: response.headers, status: response.status } };
  } catch (error) {
    throw subgraphCallError(target.serviceName, error, response?.status);
  }
}

/** JSON for the GraphQL media types, text otherwise: a subgraph's proxy may answer in HTML. */
function readBody(response: SubgraphHttpAnswer): unknown {
  const contentType = response.headers.get('content-type');
  return contentType?.startsWith('application/json') || contentType?.startsWith('application/graphql-response+json')
    ? JSON.parse(response.body)
    : response.body;
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
