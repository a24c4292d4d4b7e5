import { ErrorCode } from '../../lib/errors.js';
import { GATEWAY_TOKEN_HEADER } from '../../lib/gatewayToken.js';
import { SubgraphError } from '../kit/errors.js';

const TIMEOUT_MS = 5_000;

/** An error another subgraph answered with. */
export interface PeerError {
  message: string;
  extensions: Readonly<Record<string, unknown>>;
}

export interface PeerResponse {
  data: Readonly<Record<string, unknown>> | null;
  errors: readonly PeerError[];
}

/** Sends GraphQL operations to one other subgraph. */
export interface PeerClient {
  request(query: string, variables: Readonly<Record<string, unknown>>): Promise<PeerResponse>;
}

/**
 * A client for the subgraph `name` at `url`. A network failure, timeout,
 * HTTP error or unreadable body throws UPSTREAM_FAILED naming only the service;
 * the URL and cause go to the log, never to the caller.
 */
export function createPeerClient(name: string, url: string, serviceToken: () => Promise<string>, timeoutMs: number = TIMEOUT_MS): PeerClient {
  const unavailable = (cause: string): SubgraphError => {
    console.error(`[orders] ${name} request failed: ${cause}`);
    return new SubgraphError(ErrorCode.UpstreamFailed, `${name} is unavailable`, { serviceName: name });
  };
  return {
    async request(query, variables) {
      let response: Response;
      let body: unknown;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', [GATEWAY_TOKEN_HEADER]: await serviceToken() },
          body: JSON.stringify({ query, variables }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        body = await response.json();
      } catch (error) {
        throw unavailable(describe(error));
      }
      // GraphQL errors may come with a 4xx status; the caller decides what they mean.
      if (!isGraphQLBody(body)) throw unavailable(`HTTP ${response.status} from ${url} without a GraphQL response`);
      return {
        data: isRecord(body.data) ? body.data : null,
        errors: (Array.isArray(body.errors) ? body.errors : []).map(toPeerError),
      };
    },
  };
}

// fetch reports "fetch failed" and keeps the reason (refused, DNS, timeout) in `cause`.
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isGraphQLBody(value: unknown): value is { data?: unknown; errors?: unknown } {
  return isRecord(value) && ('data' in value || Array.isArray(value['errors']));
}

function toPeerError(value: unknown): PeerError {
  if (!isRecord(value)) return { message: String(value), extensions: {} };
  return {
    message: typeof value['message'] === 'string' ? value['message'] : 'unknown error',
    extensions: isRecord(value['extensions']) ? value['extensions'] : {},
  };
}
