import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../../lib/logger.js';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Wraps a request listener to log one line per GraphQL request once it is
 * answered, carrying the `x-request-id` the gateway forwards, so a client's
 * request can be followed from the gateway's log into every subgraph it reached.
 */
export function logRequests(logger: Logger, listener: RequestListener, graphqlPath = '/graphql'): RequestListener {
  return (req, res) => {
    if ((req.url ?? '/').split('?', 1)[0] === graphqlPath) {
      const startedAt = performance.now();
      res.once('close', () => {
        const header = req.headers['x-request-id'];
        logger.info(
          {
            requestId: (Array.isArray(header) ? header[0] : header)?.slice(0, 128),
            method: req.method,
            status: res.statusCode,
            durationMs: Math.round((performance.now() - startedAt) * 10) / 10,
            ...(res.writableFinished ? {} : { aborted: true }),
          },
          'graphql request',
        );
      });
    }
    listener(req, res);
  };
}
