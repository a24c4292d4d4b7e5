import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';

/** Headers browsers may send cross-origin: Apollo's CSRF-prevention headers, and Accept, which multipart subscriptions (Apollo Client, Sandbox) set to a value browsers do not send without asking. */
const ALLOWED_HEADERS = ['content-type', 'accept', 'authorization', 'apollo-require-preflight', 'x-apollo-operation-name', 'x-request-id', 'cache-control'];
const EXPOSED_HEADERS = ['retry-after', 'x-request-id', 'x-cache', 'age', 'www-authenticate'];

/** Whether an `Origin` is on the allow-list (`*` for any; `scheme://host:*` for any port of a host). */
export function originMatcher(origins: readonly string[]): (origin: string) => boolean {
  const exact = new Set(origins.filter((origin) => !origin.endsWith(':*')));
  const anyPort = origins.filter((origin) => origin.endsWith(':*')).map((origin) => origin.slice(0, -2));
  return (origin) =>
    exact.has('*') ||
    exact.has(origin) ||
    anyPort.some((prefix) => origin === prefix || (origin.startsWith(`${prefix}:`) && /^\d+$/.test(origin.slice(prefix.length + 1))));
}

/**
 * CORS for the origins on the allow-list (`*` for any; `scheme://host:*` for any
 * port of a host). Other origins get no CORS headers, so browsers keep their
 * pages from reading the answers. Returns true when it answered a preflight.
 */
export function createCorsHandler(origins: readonly string[]): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const allowed = originMatcher(origins);
  const middleware = cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed(origin)),
    methods: ['GET', 'POST'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  });
  return (req, res) =>
    new Promise((resolve, reject) => {
      // cors ends preflight requests itself and calls next() for the rest.
      const answered = (): void => resolve(true);
      res.once('finish', answered);
      middleware(req, res, (error?: Error | null) => {
        res.off('finish', answered);
        if (error === undefined || error === null) resolve(false);
        else reject(error);
      });
    });
}
