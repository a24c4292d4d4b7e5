import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { graphqlRequestListener, sendJson } from '../../lib/http/graphqlRequestListener.js';
import type { GatewayConfig } from './config.js';
import { createAuthenticator } from './auth/authenticate.js';
import { createGateway } from './createGateway.js';

export interface RunningGateway {
  readonly url: string;
  readonly httpServer: Server;
  stop(): Promise<void>;
}

/** Starts the gateway's HTTP server: GraphQL at /graphql, liveness at /health, readiness at /ready. */
export async function startGateway(config: GatewayConfig): Promise<RunningGateway> {
  const { server } = createGateway(config);
  await server.start();
  const authenticate = createAuthenticator(config);
  let ready = true;
  const httpServer = createServer(
    graphqlRequestListener(server, {
      maxBodyBytes: config.maxBodyBytes,
      context: async (req) => ({ viewer: await authenticate(req), requestId: headerValue(req.headers['x-request-id']) ?? randomUUID() }),
      routes: {
        'GET /health': (_req, res) => sendJson(res, 200, { status: 'ok' }),
        'GET /ready': (_req, res) => sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'stopping' }),
      },
    }),
  );
  httpServer.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => httpServer.listen(config.port, config.host, resolve));
  const { port } = httpServer.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${host}:${port}/graphql`,
    httpServer,
    async stop() {
      ready = false;
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeIdleConnections();
      });
      await server.stop();
    },
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first !== undefined && /^[\w.:-]{1,128}$/.test(first) ? first : undefined;
}
