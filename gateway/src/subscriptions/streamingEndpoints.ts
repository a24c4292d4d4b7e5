import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode } from '../../../lib/errors.js';
import { HttpError } from '../../../lib/http/HttpError.js';
import { sendGraphQLError } from '../../../lib/http/graphqlRequestListener.js';
import { readJsonBody } from '../../../lib/http/readJsonBody.js';
import { checkPersistedQuery } from '../http/checkPersistedQuery.js';
import { multipartEndpoint } from './multipartEndpoint.js';
import { sseEndpoint } from './sseEndpoint.js';
import type { SubscriptionHub } from './SubscriptionHub.js';

/** What the gateway established about the request before routing it. */
export interface StreamingRequestInfo {
  readonly clientAddress: string;
  readonly requestId: string;
}

/**
 * Routes `POST /graphql` requests that ask for a stream (`Accept:
 * text/event-stream`, or `multipart/mixed` with `subscriptionSpec`) to the SSE
 * and multipart endpoints; returns false for every other request. The body is
 * read with the same bound and checks as any GraphQL request's.
 */
export function streamingEndpoints(
  hub: SubscriptionHub,
  maxBodyBytes: number,
  path = '/graphql',
): (req: IncomingMessage, res: ServerResponse, info: StreamingRequestInfo) => boolean {
  const sse = sseEndpoint(hub);
  const multipart = multipartEndpoint(hub);
  return (req, res, info) => {
    const kind = streamKind(req, path);
    if (kind === undefined) return false;
    void (async () => {
      const body = await readJsonBody(req, maxBodyBytes);
      checkPersistedQuery(body, new URLSearchParams());
      const request = { ...info, headers: req.headers };
      if (kind === 'sse') await sse(req, res, body, request);
      else await multipart(res, { ...request, body });
    })().catch((error: unknown) => {
      if (error instanceof HttpError) sendGraphQLError(res, error);
      else {
        console.error('unhandled error in a streaming request', error);
        sendGraphQLError(res, new HttpError(500, ErrorCode.InternalServerError, 'Internal server error'));
      }
    });
    return true;
  };
}

function streamKind(req: IncomingMessage, path: string): 'sse' | 'multipart' | undefined {
  if (req.method !== 'POST') return undefined;
  const target = req.url ?? '/';
  const queryStart = target.indexOf('?');
  if ((queryStart === -1 ? target : target.slice(0, queryStart)) !== path) return undefined;
  const accept = req.headers.accept ?? '';
  if (/multipart\/mixed/i.test(accept) && /subscriptionspec/i.test(accept)) return 'multipart';
  if (/text\/event-stream/i.test(accept)) return 'sse';
  return undefined;
}
