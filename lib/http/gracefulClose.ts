import type { Server, ServerResponse } from 'node:http';

export interface CloseOutcome {
  /** Requests still unanswered when the grace period ran out; their connections were cut. */
  readonly cutOff: number;
}

/**
 * Prepares `server` to close without losing a request: call right after creating
 * it, and call the returned function to close. Closing stops accepting
 * connections at once, lets requests in flight finish, closes each keep-alive
 * connection as soon as its last answer is sent (rather than after its idle
 * timeout), and after `graceMs` cuts whatever is left.
 */
export function gracefulClose(server: Server): (graceMs: number) => Promise<CloseOutcome> {
  const inFlight = new Set<ServerResponse>();
  let closing = false;
  server.on('request', (_req, res: ServerResponse) => {
    inFlight.add(res);
    if (closing) endConnectionAfter(res);
    res.once('close', () => {
      inFlight.delete(res);
      if (closing) server.closeIdleConnections();
    });
  });

  return (graceMs) => {
    closing = true;
    for (const res of inFlight) endConnectionAfter(res);
    return new Promise<CloseOutcome>((resolve) => {
      const timer = setTimeout(() => {
        const cutOff = inFlight.size;
        server.closeAllConnections();
        resolve({ cutOff });
      }, graceMs);
      server.close(() => {
        clearTimeout(timer);
        resolve({ cutOff: 0 });
      });
      server.closeIdleConnections();
    });
  };
}

function endConnectionAfter(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('connection', 'close');
}
