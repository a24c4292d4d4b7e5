import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_PURGE_TAGS, purgeTags } from '../../../lib/cachePurge.js';
import { ErrorCode } from '../../../lib/errors.js';
import { GATEWAY_ISSUER, GATEWAY_TOKEN_HEADER, type VouchedIdentity } from '../../../lib/gatewayToken.js';
import { HttpError } from '../../../lib/http/HttpError.js';
import { sendJson } from '../../../lib/http/graphqlRequestListener.js';
import { readJsonBody } from '../../../lib/http/readJsonBody.js';
import type { Viewer } from '../auth/Viewer.js';
import type { ResponseCaching } from './cachedExecution.js';

export interface InvalidationRouteOptions {
  readonly authenticate: (req: IncomingMessage) => Promise<Viewer | null>;
  /** Verifies a service's own signed token (`supergate-gateway-token`): a subgraph purging what its background jobs changed. */
  readonly verifyService?: ((token: string) => Promise<VouchedIdentity | null>) | undefined;
  readonly caching: ResponseCaching;
  readonly maxBodyBytes: number;
}

/**
 * `POST /cache/invalidate` with `{ "tags": ["Product:42", ...] }`, for changes
 * made outside GraphQL (an import, an admin tool): purges every cached answer
 * holding those entities on every replica. Needs a token with scope `admin`,
 * or a service's own token (no user in it) signed with a key the gateway trusts.
 */
export function invalidationRoute(options: InvalidationRouteOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const serviceToken = req.headers[GATEWAY_TOKEN_HEADER];
    if (serviceToken !== undefined && options.verifyService !== undefined) {
      const identity = await options.verifyService(Array.isArray(serviceToken) ? (serviceToken[0] ?? '') : serviceToken);
      // A service vouches for itself only; the gateway never purges through its own route.
      if (identity?.sub !== null || identity.issuer === GATEWAY_ISSUER) {
        throw new HttpError(401, ErrorCode.Unauthenticated, 'The service token is not signed by a service the gateway trusts.');
      }
      await purge(options, req, res);
      return;
    }
    const viewer = await options.authenticate(req);
    if (viewer === null)
      throw new HttpError(401, ErrorCode.Unauthenticated, 'Cache invalidation needs a bearer token with scope admin.', { 'www-authenticate': 'Bearer' });
    if (!viewer.scopes.has('admin')) throw new HttpError(403, ErrorCode.Forbidden, 'Cache invalidation needs scope admin.');
    await purge(options, req, res);
  };
}

async function purge(options: InvalidationRouteOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const tags = purgeTags(await readJsonBody(req, options.maxBodyBytes));
  if (tags === undefined) {
    throw new HttpError(
      400,
      ErrorCode.BadRequest,
      `Send a JSON body {"tags": ["Type:key", ...]} with 1 to ${MAX_PURGE_TAGS} entity tags, such as "Product:42".`,
    );
  }
  const purged = await options.caching.cache.purge(tags);
  options.caching.onPurge?.(purged);
  sendJson(res, 200, { purged });
}
