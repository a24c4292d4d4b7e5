import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode } from '../../../lib/errors.js';
import { createLimitedServer, type ClientConnectionLimits } from '../../../lib/http/clientConnectionLimits.js';
import { sendJson } from '../../../lib/http/graphqlRequestListener.js';

/** Answers a Prometheus scrape. */
export type MetricsRoute = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface RunningMetricsServer {
  /** Where Prometheus scrapes, e.g. `http://127.0.0.1:9464/metrics`. */
  readonly url: string;
  readonly server: Server;
}

/**
 * A server of its own for `GET /metrics`, on a port that is never the public
 * GraphQL one: Kubernetes and compose scrape it on the pod or container
 * network, and no path on the public port leads to it. Any other request gets 404.
 */
export async function startMetricsServer(host: string, port: number, limits: ClientConnectionLimits, route: MetricsRoute): Promise<RunningMetricsServer> {
  const server = createLimitedServer(limits, (req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      sendJson(res, 404, { errors: [{ message: 'Only GET /metrics is served on this port.', extensions: { code: ErrorCode.NotFound } }] });
      return;
    }
    route(req, res).catch(() => {
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${shownHost}:${address.port}/metrics`, server };
}
