import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { execute, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { ErrorCode } from '../../lib/errors.js';
import { HttpError } from '../../lib/http/HttpError.js';
import { readJsonBody } from '../../lib/http/readJsonBody.js';
import type { DataSet } from './dataSet.js';
import { SUBGRAPH_NAMES } from './resolvers.js';
import { buildSubgraphSchemas } from './subgraphSchemas.js';

const MAX_BODY_BYTES = 1024 * 1024;
/** A gateway sends a handful of distinct subgraph queries; the bound only stops a stray client growing the cache. */
const MAX_CACHED_DOCUMENTS = 1_000;

/**
 * One server for the four subgraphs, each at `/<name>` as in the public benchmark.
 * Requests go straight to graphql-js with parsed, validated documents remembered per
 * query: the original services are Rust, and on a shared core a heavier server would
 * measure the subgraphs rather than the gateway in front of them.
 */
export function createSubgraphsServer(data: DataSet): Server {
  const schemas = new Map<string, GraphQLSchema>([...buildSubgraphSchemas(data)].map(([name, schema]) => [`/${name}`, schema]));
  const documents = new Map<GraphQLSchema, Map<string, DocumentNode>>();
  const documentFor = (schema: GraphQLSchema, query: string): DocumentNode => {
    let cache = documents.get(schema);
    if (cache === undefined) documents.set(schema, (cache = new Map<string, DocumentNode>()));
    const cached = cache.get(query);
    if (cached !== undefined) return cached;
    const document = parse(query);
    const errors = validate(schema, document);
    if (errors.length > 0) throw new HttpError(400, ErrorCode.GraphQLValidationFailed, errors.map((error) => error.message).join('; '));
    if (cache.size >= MAX_CACHED_DOCUMENTS) cache.clear();
    cache.set(query, document);
    return document;
  };

  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const schema = schemas.get((req.url ?? '/').split('?')[0]!);
    if (schema === undefined || req.method !== 'POST')
      throw new HttpError(404, ErrorCode.NotFound, `POST a GraphQL request to one of ${SUBGRAPH_NAMES.map((name) => `/${name}`).join(', ')}`);
    const body = await readJsonBody(req, MAX_BODY_BYTES);
    const request = typeof body === 'object' && body !== null ? (body as { query?: unknown; variables?: unknown; operationName?: unknown }) : {};
    if (typeof request.query !== 'string') throw new HttpError(400, ErrorCode.BadRequest, 'The body must be JSON with a "query" string');
    const result = await execute({
      schema,
      document: documentFor(schema, request.query),
      variableValues: typeof request.variables === 'object' && request.variables !== null ? (request.variables as Record<string, unknown>) : undefined,
      operationName: typeof request.operationName === 'string' ? request.operationName : undefined,
    });
    send(res, 200, JSON.stringify(result));
  };

  const server = createServer((req, res) => {
    answer(req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      send(
        res,
        status,
        JSON.stringify({ errors: [{ message, extensions: { code: error instanceof HttpError ? error.code : ErrorCode.InternalServerError } }] }),
      );
    });
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

function send(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(body);
}
