import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLimitedServer } from '../../lib/http/clientConnectionLimits.js';
import { HttpError } from '../../lib/http/HttpError.js';
import { graphqlRequestListener, sendGraphQLError, sendJson } from '../../lib/http/graphqlRequestListener.js';
import { createLogger, type Logger } from '../../lib/logger.js';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import { createAuthenticator } from './auth/authenticate.js';
import { jwksRoute } from './auth/jwksRoute.js';
import { FetchEpoch } from './cache/FetchEpoch.js';
import { invalidationRoute } from './cache/invalidationRoute.js';
import { createGateway } from './createGateway.js';
import { ErrorCode } from '../../lib/errors.js';
import { checkPersistedQuery } from './http/checkPersistedQuery.js';
import { clientAddress } from './http/clientAddress.js';
import { isBrowserVisit, PRODUCTION_BROWSER_VISIT } from './http/browserVisit.js';
import { createCorsHandler } from './http/corsHandler.js';
import { GatewayMetrics } from './observability/GatewayMetrics.js';
import { startMetricsServer } from './observability/metricsServer.js';
import { Readiness } from './observability/Readiness.js';
import { RequestObserver } from './observability/RequestObserver.js';
import { startTracing } from './observability/startTracing.js';
import { callerKey, EdgeRateLimiter } from './rateLimits/EdgeRateLimiter.js';
import { rateLimitMessage } from './rateLimits/rateLimitedError.js';
import { RedisConnection } from './redis/RedisConnection.js';
import { gracefulClose } from './resilience/gracefulClose.js';

export interface RunningGateway {
  readonly url: string;
  /** Where Prometheus scrapes: `METRICS_HOST`:`METRICS_PORT`, never the GraphQL port in production. */
  readonly metricsUrl: string;
  readonly httpServer: Server;
  stop(): Promise<void>;
}

export interface StartGatewayOptions {
  /** Receives operational messages (Redis outages and recoveries). @default `logger` */
  log?: (level: 'warn' | 'info', message: string) => void;
  /** Receives one line per GraphQL request and operational messages. @default JSON lines on stdout at `LOG_LEVEL` */
  logger?: Logger;
}

/**
 * Starts the gateway's HTTP server: GraphQL at /graphql, liveness at /health,
 * readiness at /ready; and Prometheus metrics at /metrics on a port of their
 * own (also on the main port in development, for convenience).
 */
export async function startGateway(config: GatewayConfig, options: StartGatewayOptions = {}): Promise<RunningGateway> {
  const logger = options.logger ?? createLogger('gateway', config.observability.logLevel);
  const log = options.log ?? ((level, message) => logger[level](message));
  const tracing = await startTracing(config.observability);
  const redis = config.redisUrl === undefined ? undefined : new RedisConnection(config.redisUrl, log);
  await redis?.connect();
  const rateLimiter = new EdgeRateLimiter({ settings: config.rateLimits, redis: redis?.client });
  const metrics = new GatewayMetrics();
  const observer = new RequestObserver({ logger, metrics });
  const { server, gateway, subgraphUrls, caches } = createGateway(config, rateLimiter, { logger, metrics, observer }, redis?.client);
  const readiness = new Readiness({ subgraphUrls, redisAvailable: redis === undefined ? undefined : () => redis.available });
  gateway.onSchemaLoadOrUpdate(() => {
    metrics.supergraphReload('success');
    readiness.supergraphLoaded();
  });
  await server.start();
  const authenticate = createAuthenticator(config);
  const handleCors = createCorsHandler(config.corsOrigins);

  const context = async (req: IncomingMessage): Promise<GatewayContext> => {
    const viewer = await authenticate(req);
    const caller = callerKey(viewer?.sub, clientAddress(req, config.trustProxyHops));
    const rejection = await rateLimiter.spendRequest(caller);
    if (rejection !== null) {
      metrics.rateLimitRejection(rejection.rule);
      throw new HttpError(429, ErrorCode.RateLimited, rateLimitMessage(rejection), { 'retry-after': String(rejection.retryAfterSeconds) });
    }
    return { viewer, caller, requestId: observer.requestId(req), forwardedHeaders: forwardedHeaders(req, config.forwardHeaders), changedEntities: new Set(), fetchEpoch: new FetchEpoch() };
  };

  const serveMetrics = async (_req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (redis !== undefined) metrics.redisAvailable(redis.available);
    const text = await metrics.render();
    res.setHeader('content-type', metrics.contentType);
    res.end(text);
  };
  const listener = graphqlRequestListener(server, {
    maxBodyBytes: config.maxBodyBytes,
    context: observer.observeContext(context),
    checkRequest: checkPersistedQuery,
    routes: {
      'GET /health': (_req, res) => sendJson(res, 200, { status: 'ok' }),
      'GET /.well-known/jwks.json': jwksRoute(config.gatewaySigningKey),
      'POST /cache/invalidate': invalidationRoute({ authenticate, caching: caches.responses, maxBodyBytes: config.maxBodyBytes }),
      'GET /ready': async (_req, res) => {
        const { httpStatus, body } = await readiness.report();
        sendJson(res, httpStatus, body);
      },
      // Production answers it on the metrics port only.
      ...(config.production ? {} : { 'GET /metrics': serveMetrics }),
    },
  });
  const httpServer = createLimitedServer(config.clientConnections, (req, res) => {
    observer.observe(req, res);
    // Says which worker process answered (GATEWAY_WORKERS); not shown in production.
    if (!config.production) res.setHeader('x-served-by', String(process.pid));
    handleCors(req, res).then(
      (answered) => {
        if (answered) return;
        if (config.production && isBrowserVisit(req)) sendGraphQLError(res, PRODUCTION_BROWSER_VISIT);
        else listener(req, res);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'CORS handling failed');
        sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: ErrorCode.InternalServerError } }] });
      },
    );
  });
  httpServer.keepAliveTimeout = 65_000;
  const closeHttpServer = gracefulClose(httpServer);
  const metricsServer = await startMetricsServer(config.metricsHost, config.metricsPort, config.clientConnections, serveMetrics);
  await new Promise<void>((resolve) => httpServer.listen(config.port, config.host, resolve));
  const { port } = httpServer.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${host}:${port}/graphql`,
    metricsUrl: metricsServer.url,
    httpServer,
    async stop() {
      readiness.markStopping();
      // Scraped to the end, so the last requests are counted.
      const { cutOff } = await closeHttpServer(config.shutdownGraceMs);
      metricsServer.server.close();
      metricsServer.server.closeAllConnections();
      if (cutOff > 0) logger.warn({ cutOff }, `shutdown grace period (${config.shutdownGraceMs} ms) ran out; cut off ${cutOff} requests`);
      await server.stop();
      await redis?.close();
      await tracing?.shutdown();
    },
  };
}

function forwardedHeaders(req: IncomingMessage, names: readonly string[]): Record<string, string> {
  const forwarded: Record<string, string> = {};
  for (const name of names) {
    const value = req.headers[name];
    if (value !== undefined) forwarded[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return forwarded;
}
