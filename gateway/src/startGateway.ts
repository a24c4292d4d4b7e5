import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpError } from '../../lib/http/HttpError.js';
import { graphqlRequestListener, sendJson } from '../../lib/http/graphqlRequestListener.js';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import { createAuthenticator } from './auth/authenticate.js';
import { createGateway } from './createGateway.js';
import { ErrorCode } from './errors.js';
import { clientAddress } from './http/clientAddress.js';
import { createCorsHandler } from './http/corsHandler.js';
import { callerKey, EdgeRateLimiter } from './rateLimits/EdgeRateLimiter.js';
import { rateLimitMessage } from './rateLimits/rateLimitedError.js';
import { RedisConnection } from './redis/RedisConnection.js';

export interface RunningGateway {
  readonly url: string;
  readonly httpServer: Server;
  stop(): Promise<void>;
}

export interface StartGatewayOptions {
  /** Receives operational messages (Redis outages and recoveries). @default console */
  log?: (level: 'warn' | 'info', message: string) => void;
}

/** Starts the gateway's HTTP server: GraphQL at /graphql, liveness at /health, readiness at /ready. */
export async function startGateway(config: GatewayConfig, options: StartGatewayOptions = {}): Promise<RunningGateway> {
  const log = options.log ?? ((level, message) => console[level](`[gateway] ${message}`));
  const redis = config.redisUrl === undefined ? undefined : new RedisConnection(config.redisUrl, log);
  await redis?.connect();
  const rateLimiter = new EdgeRateLimiter({ settings: config.rateLimits, redis: redis?.client });
  const { server } = createGateway(config, rateLimiter);
  await server.start();
  const authenticate = createAuthenticator(config);
  const handleCors = createCorsHandler(config.corsOrigins);

  const context = async (req: IncomingMessage): Promise<GatewayContext> => {
    const viewer = await authenticate(req);
    const caller = callerKey(viewer?.sub, clientAddress(req, config.trustProxyHops));
    const rejection = await rateLimiter.spendRequest(caller);
    if (rejection !== null) {
      throw new HttpError(429, ErrorCode.RateLimited, rateLimitMessage(rejection), { 'retry-after': String(rejection.retryAfterSeconds) });
    }
    return { viewer, caller, requestId: requestIdOf(req), forwardedHeaders: forwardedHeaders(req, config.forwardHeaders) };
  };

  let ready = true;
  const listener = graphqlRequestListener(server, {
    maxBodyBytes: config.maxBodyBytes,
    context,
    routes: {
      'GET /health': (_req, res) => sendJson(res, 200, { status: 'ok' }),
      'GET /ready': (_req, res) => sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'stopping' }),
    },
  });
  const httpServer = createServer((req, res) => {
    handleCors(req, res).then(
      (answered) => {
        if (!answered) listener(req, res);
      },
      (error: unknown) => {
        console.error('[gateway] CORS handling failed', error);
        sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: ErrorCode.InternalServerError } }] });
      },
    );
  });
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
      await redis?.close();
    },
  };
}

function requestIdOf(req: IncomingMessage): string {
  const value = req.headers['x-request-id'];
  const first = Array.isArray(value) ? value[0] : value;
  return first !== undefined && /^[\w.:-]{1,128}$/.test(first) ? first : randomUUID();
}

function forwardedHeaders(req: IncomingMessage, names: readonly string[]): Record<string, string> {
  const forwarded: Record<string, string> = {};
  for (const name of names) {
    const value = req.headers[name];
    if (value !== undefined) forwarded[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return forwarded;
}
