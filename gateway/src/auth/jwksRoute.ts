import type { IncomingMessage, ServerResponse } from 'node:http';
import { publicJwk, type SigningKey } from '../../../lib/identityKeys.js';
import { sendJson } from '../../../lib/http/graphqlRequestListener.js';

/** Where the gateway publishes the public key its identity tokens verify with. */
export const JWKS_PATH = '/.well-known/jwks.json';

/**
 * Serves the gateway's public key as a JWKS, so any subgraph, a third party's
 * included, can verify who is calling. Empty while the gateway signs with a
 * shared secret, which is never published.
 */
export function jwksRoute(signingKey: SigningKey): (req: IncomingMessage, res: ServerResponse) => void {
  const body = { keys: signingKey.kind === 'keyPair' ? [publicJwk(signingKey)] : [] };
  return (_req, res) => {
    // Short enough that a rotated key reaches verifiers well within a token's lifetime.
    res.setHeader('cache-control', 'public, max-age=300');
    sendJson(res, 200, body);
  };
}
