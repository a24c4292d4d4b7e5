import type { IncomingHttpHeaders } from 'node:http';
import type { SupergatePlugin } from '../plugins/SupergatePlugin.js';
import { createAuthenticator } from './authenticate.js';
import type { TokenVerifierOptions } from './TokenVerifier.js';
import type { Viewer } from './Viewer.js';

/** How bearer tokens are verified. */
export type JwtAuthOptions = TokenVerifierOptions;

export interface JwtAuthPlugin extends SupergatePlugin {
  /** The caller a request's `Authorization` header proves, for routes outside /graphql; null without one, 401 for a bad one. */
  readonly authenticate: (req: { readonly headers: IncomingHttpHeaders }) => Promise<Viewer | null>;
}

/**
 * Sets the viewer of every request from its `Authorization: Bearer <JWT>`
 * header. No header: an anonymous caller; a bad or expired token: HTTP 401
 * with `UNAUTHENTICATED`, never a silent downgrade to anonymous.
 */
export function useJwtAuth(options: JwtAuthOptions): JwtAuthPlugin {
  const authenticate = createAuthenticator(options);
  return {
    name: 'jwtAuth',
    authenticate,
    onRequest(request) {
      const header = request.headers.authorization;
      // Anonymous callers cost no await.
      if (header === undefined || header === '') return undefined;
      return authenticate(request).then((viewer) => {
        request.viewer = viewer;
      });
    },
  };
}
