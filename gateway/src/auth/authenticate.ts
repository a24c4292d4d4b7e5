import type { IncomingHttpHeaders } from 'node:http';
import { HttpError } from '../../../lib/http/HttpError.js';
import { ErrorCode } from '../../../lib/errors.js';
import { InvalidTokenError, TokenVerifier, type TokenVerifierOptions } from './TokenVerifier.js';
import type { Viewer } from './Viewer.js';

/**
 * Establishes who is calling from the `Authorization` header. No header means an
 * anonymous caller; a header with a bad token is always refused with 401, never
 * downgraded to anonymous, so a client with an expired token finds out at once.
 */
export function createAuthenticator(options: TokenVerifierOptions): (req: { readonly headers: IncomingHttpHeaders }) => Promise<Viewer | null> {
  const verifier = new TokenVerifier(options);
  return async (req) => {
    const header = req.headers.authorization;
    if (header === undefined || header === '') return null;
    const match = /^Bearer +([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim());
    if (match?.[1] === undefined) throw unauthenticated('The Authorization header must be "Bearer <token>".', 'invalid_request');
    try {
      const viewer = await verifier.verify(match[1]);
      // The subject travels on in a header to every subgraph and into log lines.
      if (CONTROL_CHARACTER.test(viewer.sub)) throw new InvalidTokenError('invalid', 'The token subject contains a control character.');
      return viewer;
    } catch (error) {
      if (error instanceof InvalidTokenError) throw unauthenticated(error.message, 'invalid_token');
      throw error;
    }
  };
}

/** C0 and C1 control characters, NUL included. */
// eslint-disable-next-line no-control-regex -- finding control characters is what it is for
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

function unauthenticated(message: string, error: 'invalid_token' | 'invalid_request'): HttpError {
  return new HttpError(401, ErrorCode.Unauthenticated, message, {
    'www-authenticate': `Bearer error="${error}", error_description="${message.replace(/"/g, "'")}"`,
  });
}
