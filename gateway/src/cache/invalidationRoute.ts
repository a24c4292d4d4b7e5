import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode } from '../../../lib/errors.js';
import { HttpError } from '../../../lib/http/HttpError.js';
import { sendJson } from '../../../lib/http/graphqlRequestListener.js';
import { readJsonBody } from '../../../lib/http/readJsonBody.js';
import type { Viewer } from '../auth/Viewer.js';
import type { ResponseCaching } from './cachedExecution.js';

const MAX_TAGS = 1000;

export interface InvalidationRouteOptions {
  readonly authenticate: (req: IncomingMessage) => Promise<Viewer | null>;
  readonly caching: ResponseCaching;
  readonly maxBodyBytes: number;
}

/**
 * `POST /cache/invalidate` with `{ "tags": ["Product:42", ...] }`, for changes
 * made outside GraphQL (an import, an admin tool): purges every cached answer
 * holding those entities on every replica. Needs a token with scope `admin`.
 */
export function invalidationRoute(options: InvalidationRouteOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const viewer = await options.authenticate(req);
    if (viewer === null)
      throw new HttpError(401, ErrorCode.Unauthenticated, 'Cache invalidation needs a bearer token with scope admin.', { 'www-authenticate': 'Bearer' });
    if (!viewer.scopes.has('admin')) throw new HttpError(403, ErrorCode.Forbidden, 'Cache invalidation needs scope admin.');
    const tags = parseTags(await readJsonBody(req, options.maxBodyBytes));
    const purged = await options.caching.cache.purge(tags);
    options.caching.onPurge?.(purged);
    sendJson(res, 200, { purged });
  };
}

function parseTags(body: unknown): string[] {
  const tags = typeof body === 'object' && body !== null ? (body as { tags?: unknown }).tags : undefined;
  const valid =
    Array.isArray(tags) && tags.length > 0 && tags.length <= MAX_TAGS && tags.every((tag) => typeof tag === 'string' && /^[A-Za-z_]\w*:.{1,256}$/.test(tag));
  if (!valid) {
    throw new HttpError(400, ErrorCode.BadRequest, `Send a JSON body {"tags": ["Type:key", ...]} with 1 to ${MAX_TAGS} entity tags, such as "Product:42".`);
  }
  return tags as string[];
}
