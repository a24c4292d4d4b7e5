import type { IncomingMessage } from 'node:http';
import { ErrorCode } from '../../../lib/errors.js';
import { HttpError } from '../../../lib/http/HttpError.js';

/** A person opening the endpoint in a browser rather than a client sending an operation. */
export function isBrowserVisit(req: IncomingMessage, graphqlPath = '/graphql'): boolean {
  if (req.method !== 'GET' || !(req.headers.accept ?? '').includes('text/html')) return false;
  const url = new URL(req.url ?? '/', 'http://localhost');
  return url.pathname === graphqlPath && !url.searchParams.has('query') && !url.searchParams.has('extensions');
}

/** What production answers a browser visit, where there is no landing page. */
export const PRODUCTION_BROWSER_VISIT = new HttpError(
  400,
  ErrorCode.BadRequest,
  'This is a GraphQL endpoint: send operations as POST requests with a JSON body such as {"query": "{ topProducts { name } }"}. The Apollo Sandbox explorer is served in development only.',
);
