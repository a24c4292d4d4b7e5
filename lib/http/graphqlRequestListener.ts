import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { ErrorCode } from '../errors.js';
import { HttpError } from './HttpError.js';
import { readJsonBody } from './readJsonBody.js';

export interface GraphQLRequestListenerOptions<TContext extends BaseContext> {
  /** Path the GraphQL endpoint answers on. @default '/graphql' */
  path?: string;
  /** Largest accepted request body in bytes. */
  maxBodyBytes: number;
  /** Builds the per-request context; a thrown `HttpError` becomes the answer. */
  context: (req: IncomingMessage) => Promise<TContext>;
  /** Inspects the parsed body (undefined for a GET) and query string before the context is built; a thrown `HttpError` becomes the answer. */
  checkRequest?: (body: unknown, search: URLSearchParams) => void;
  /** Extra plain HTTP routes (health, metrics) keyed by `METHOD /path`. */
  routes?: Readonly<Record<string, (req: IncomingMessage, res: ServerResponse) => void | Promise<void>>>;
}

/** Adapts an ApolloServer to a Node `http` request listener. */
export function graphqlRequestListener<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  options: GraphQLRequestListenerOptions<TContext>,
): (req: IncomingMessage, res: ServerResponse) => void {
  const graphqlPath = options.path ?? '/graphql';
  const routes = options.routes ?? {};
  const encode = lastBodyEncoder();
  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) {
        sendGraphQLError(res, error);
        return;
      }
      console.error('unhandled HTTP error', error);
      sendGraphQLError(res, new HttpError(500, ErrorCode.InternalServerError, 'Internal server error'));
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { path, search } = splitTarget(req.url ?? '/');
    const method = (req.method ?? 'GET').toUpperCase();
    const route = routes[`${method} ${path}`];
    if (route !== undefined) {
      await route(req, res);
      return;
    }
    if (path !== graphqlPath) {
      sendGraphQLError(res, new HttpError(404, ErrorCode.NotFound, `Nothing is served at this path; GraphQL is at ${graphqlPath}.`));
      return;
    }
    const url = new URL(search, 'http://localhost');
    const body = method === 'POST' ? await readJsonBody(req, options.maxBodyBytes) : undefined;
    options.checkRequest?.(body, url.searchParams);
    // Built before Apollo sees the request, so an HttpError (a bad token) becomes the whole answer.
    const contextValue = await options.context(req);
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method, headers, search: url.search, body },
      context: async () => contextValue,
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(encode(response.body.string));
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }
}

/**
 * Encodes answers as UTF-8, reusing the bytes when an answer is the one before
 * it: requests that share one execution get the same answer string, and
 * encoding a large answer (and measuring it for Content-Length) is a good part
 * of writing it.
 */
function lastBodyEncoder(): (body: string) => Buffer {
  let lastBody = '';
  let lastBytes = Buffer.alloc(0);
  return (body) => {
    if (body !== lastBody) {
      lastBody = body;
      lastBytes = Buffer.from(body, 'utf8');
    }
    return lastBytes;
  };
}

/**
 * The request target's path exactly as sent, and its query string. Routes match
 * the path as sent, never a normalised one: `/graphql/../metrics`,
 * `/%2e%2e/metrics` or `/graphql\..\metrics` name no route, so no spelling
 * reaches a route it does not spell.
 */
function splitTarget(target: string): { path: string; search: string } {
  const queryStart = target.indexOf('?');
  return queryStart === -1 ? { path: target, search: '' } : { path: target.slice(0, queryStart), search: target.slice(queryStart) };
}

/** Answers with a GraphQL-shaped error body, as clients expect from a GraphQL endpoint. */
export function sendGraphQLError(res: ServerResponse, error: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.statusCode = error.status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  res.end(JSON.stringify({ errors: [{ message: error.message, extensions: { code: error.code } }] }));
}

/** Answers a plain JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}
