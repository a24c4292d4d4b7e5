import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLimitedServer } from '../../lib/http/clientConnectionLimits.js';
import { gracefulClose } from '../../lib/http/gracefulClose.js';
import { graphqlRequestListener, sendGraphQLError, sendJson } from '../../lib/http/graphqlRequestListener.js';
import { createLogger, type Logger } from '../../lib/logger.js';
import { readGatewayConfig, type GatewayConfig } from './config.js';
import { jwksRoute } from './auth/jwksRoute.js';
import { reportCacheErrors } from './cache/reportCacheErrors.js';
import { createGateway } from './createGateway.js';
import { defaultPlugins } from './defaultPlugins.js';
import { ErrorCode } from '../../lib/errors.js';
import { checkPersistedQuery } from './http/checkPersistedQuery.js';
import { clientAddress } from './http/clientAddress.js';
import { isBrowserVisit, PRODUCTION_BROWSER_VISIT } from './http/browserVisit.js';
import { createCorsHandler, originMatcher } from './http/corsHandler.js';
import type { GatewayContext } from './context.js';
import { serveGraphqlWs } from './subscriptions/graphqlWsEndpoint.js';
import { streamingEndpoints } from './subscriptions/streamingEndpoints.js';
import { SubscriptionHub } from './subscriptions/SubscriptionHub.js';
import { UpstreamSubscriptions } from './subscriptions/UpstreamSubscriptions.js';
import { GatewayMetrics } from './observability/GatewayMetrics.js';
import { startMetricsServer, type RunningMetricsServer } from './observability/metricsServer.js';
import { Readiness } from './observability/Readiness.js';
import { RequestObserver } from './observability/RequestObserver.js';
import { startTracing, type Tracing } from './observability/startTracing.js';
import { EdgePipeline } from './plugins/EdgePipeline.js';
import type { RouteHandler, SupergatePlugin } from './plugins/SupergatePlugin.js';
import type { SupergateServices } from './plugins/SupergateServices.js';
import { RedisConnection } from './redis/RedisConnection.js';

/** What a `plugins` function is given: the gateway's shared services, and its default pipeline. */
export interface PluginsContext extends SupergateServices {
  /** The pipeline `createSupergate` runs when given no plugins, built from `config`, in its order. */
  readonly defaultPlugins: () => SupergatePlugin[];
}

export interface SupergateOptions {
  /** The gateway's settings. @default readGatewayConfig() (the environment) */
  readonly config?: GatewayConfig | undefined;
  /** Path of the composed supergraph SDL file, served and reloaded whenever a valid new one is written there. @default config.supergraphPath */
  readonly supergraph?: string | undefined;
  /**
   * The edge pipeline, in order; a function receives the gateway's services
   * and default plugins, to extend them: `({ defaultPlugins }) => [...defaultPlugins(), useMine()]`.
   * @default the default pipeline (`defaultPlugins`)
   */
  readonly plugins?: readonly SupergatePlugin[] | ((gateway: PluginsContext) => readonly SupergatePlugin[]) | undefined;
  /** Receives one line per GraphQL request and operational messages. @default JSON lines on stdout at `LOG_LEVEL` */
  readonly logger?: Logger | undefined;
  /** Receives operational messages (Redis outages and recoveries). @default `logger` */
  readonly log?: ((level: 'warn' | 'info', message: string) => void) | undefined;
}

export interface ListenOptions {
  /** Port for HTTP; 0 picks a free one. @default config.port */
  readonly port?: number | undefined;
  /** Interface to bind. @default config.host */
  readonly host?: string | undefined;
}

/** A gateway built by `createSupergate`, not yet serving until `listen`. */
export interface Supergate {
  /** Connects to Redis, loads the supergraph and serves; resolves to the GraphQL endpoint's URL. */
  listen(options?: ListenOptions): Promise<string>;
  /** Stops taking requests, lets those in flight finish (within `SHUTDOWN_GRACE_MS`), then releases everything. */
  stop(): Promise<void>;
  /** The GraphQL server: GraphQL at /graphql, liveness at /health, readiness at /ready. */
  readonly httpServer: Server;
  /** Where Prometheus scrapes (`METRICS_HOST`:`METRICS_PORT`); undefined until `listen` resolves. */
  readonly metricsUrl: string | undefined;
  /** The plugins the gateway runs, in order. */
  readonly plugins: readonly SupergatePlugin[];
}

/**
 * Builds a Supergate gateway: the edge pipeline of `plugins` (the default one
 * unless given) in front of @apollo/gateway, served over HTTP by `listen`.
 * Throws when the plugins cannot work in the order given.
 */
export function createSupergate(options: SupergateOptions = {}): Supergate {
  const config = options.config ?? readGatewayConfig();
  const logger = options.logger ?? createLogger('gateway', config.observability.logLevel);
  const log = options.log ?? ((level, message) => logger[level](message));
  const redis = config.redisUrl === undefined ? undefined : new RedisConnection(config.redisUrl, log);
  const metrics = new GatewayMetrics();
  const observer = new RequestObserver({ logger, metrics });
  const services: SupergateServices = { config, redis: redis?.client, metrics, logger, cacheStoreFailed: reportCacheErrors(metrics, logger) };
  const plugins =
    typeof options.plugins === 'function'
      ? options.plugins({ ...services, defaultPlugins: () => defaultPlugins(services) })
      : (options.plugins ?? defaultPlugins(services));
  const pipeline = new EdgePipeline(plugins);
  const { server, gateway, subgraphUrls, executor, signer, subgraphUrl, formatError } = createGateway(
    config,
    pipeline,
    { logger, metrics, observer, cacheStoreFailed: services.cacheStoreFailed },
    redis?.client,
    options.supergraph,
  );
  const readiness = new Readiness({ subgraphUrls, redisAvailable: redis === undefined ? undefined : () => redis.available });
  gateway.onSchemaLoadOrUpdate(() => {
    metrics.supergraphReload('success');
    readiness.supergraphLoaded();
  });
  const handleCors = createCorsHandler(config.corsOrigins);
  const upstream = new UpstreamSubscriptions({ urlOf: subgraphUrl, connectionToken: () => signer.sign(null) });
  const contextOf = (headers: IncomingHttpHeaders, address: string, requestId: string): Promise<GatewayContext> =>
    pipeline.context({ headers }, address, requestId, forwardedHeaders(headers, config.forwardHeaders));
  const hub = new SubscriptionHub({
    server,
    pipeline,
    executor,
    upstream,
    signer,
    limits: config.subscriptions,
    context: contextOf,
    formatError,
    metrics,
    logger,
  });
  const serveStream = streamingEndpoints(hub, config.maxBodyBytes);

  const serveMetrics = async (_req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (redis !== undefined) metrics.redisAvailable(redis.available);
    const text = await metrics.render();
    res.setHeader('content-type', metrics.contentType);
    res.end(text);
  };
  const listener = graphqlRequestListener(server, {
    maxBodyBytes: config.maxBodyBytes,
    context: observer.observeContext((req) =>
      pipeline.context(req, clientAddress(req, config.trustProxyHops), observer.requestId(req), forwardedHeaders(req.headers, config.forwardHeaders)),
    ),
    checkRequest: checkPersistedQuery,
    routes: withPluginRoutes(pipeline.routes, {
      'GET /health': (_req, res) => sendJson(res, 200, { status: 'ok' }),
      'GET /.well-known/jwks.json': jwksRoute(config.gatewaySigningKey),
      'GET /ready': async (_req, res) => {
        const { httpStatus, body } = await readiness.report();
        sendJson(res, httpStatus, body);
      },
      // Production answers it on the metrics port only.
      ...(config.production ? {} : { 'GET /metrics': serveMetrics }),
    }),
  });
  const httpServer = createLimitedServer(config.clientConnections, (req, res) => {
    observer.observe(req, res);
    // Says which worker process answered (GATEWAY_WORKERS); not shown in production.
    if (!config.production) res.setHeader('x-served-by', String(process.pid));
    handleCors(req, res).then(
      (answered) => {
        if (answered) return;
        if (config.production && isBrowserVisit(req)) sendGraphQLError(res, PRODUCTION_BROWSER_VISIT);
        else if (!serveStream(req, res, { clientAddress: clientAddress(req, config.trustProxyHops), requestId: observer.requestId(req) })) listener(req, res);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'CORS handling failed');
        sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: ErrorCode.InternalServerError } }] });
      },
    );
  });
  httpServer.keepAliveTimeout = 65_000;
  const closeHttpServer = gracefulClose(httpServer);
  const webSockets = serveGraphqlWs(httpServer, {
    hub,
    originAllowed: originMatcher(config.corsOrigins),
    checkCaller: async (headers, req) => {
      await contextOf(headers, clientAddress(req, config.trustProxyHops), observer.requestId(req));
    },
    clientAddress: (req) => clientAddress(req, config.trustProxyHops),
    requestId: (req) => observer.requestId(req),
    maxPayloadBytes: config.maxBodyBytes,
    logger,
  });

  let state: 'created' | 'listening' | 'stopped' = 'created';
  let tracing: Tracing | undefined;
  let metricsServer: RunningMetricsServer | undefined;
  return {
    httpServer,
    plugins,
    get metricsUrl() {
      return metricsServer?.url;
    },
    async listen(listenOptions = {}) {
      if (state !== 'created') throw new Error(`this gateway is ${state === 'listening' ? 'listening already' : 'stopped'}; create another`);
      state = 'listening';
      tracing = await startTracing(config.observability);
      await redis?.connect();
      await pipeline.start();
      await server.start();
      metricsServer = await startMetricsServer(config.metricsHost, config.metricsPort, config.clientConnections, serveMetrics);
      const host = listenOptions.host ?? config.host;
      await new Promise<void>((resolve) => httpServer.listen(listenOptions.port ?? config.port, host, resolve));
      const { port } = httpServer.address() as AddressInfo;
      return `http://${host.includes(':') ? `[${host}]` : host}:${port}/graphql`;
    },
    async stop() {
      if (state === 'stopped') return;
      const wasListening = state === 'listening';
      state = 'stopped';
      readiness.markStopping();
      // Subscriptions end first: their streams would hold the HTTP server open for the whole grace period.
      hub.stop();
      await webSockets.close(1001, 'The gateway is shutting down');
      upstream.close();
      if (wasListening) {
        // Scraped to the end, so the last requests are counted.
        const { cutOff } = await closeHttpServer(config.shutdownGraceMs);
        metricsServer?.server.close();
        metricsServer?.server.closeAllConnections();
        if (cutOff > 0) logger.warn({ cutOff }, `shutdown grace period (${config.shutdownGraceMs} ms) ran out; cut off ${cutOff} requests`);
        await server.stop();
      }
      await pipeline.stop();
      await redis?.close();
      await tracing?.shutdown();
    },
  };
}

/** The gateway's own routes with every plugin's; a plugin may not take one of the gateway's. */
function withPluginRoutes(pluginRoutes: Readonly<Record<string, RouteHandler>>, own: Record<string, RouteHandler>): Record<string, RouteHandler> {
  for (const route of Object.keys(pluginRoutes)) if (route in own) throw new Error(`a plugin serves ${route}, which the gateway serves itself`);
  return { ...own, ...pluginRoutes };
}

function forwardedHeaders(headers: IncomingHttpHeaders, names: readonly string[]): Record<string, string> {
  const forwarded: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name];
    if (value !== undefined) forwarded[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return forwarded;
}
