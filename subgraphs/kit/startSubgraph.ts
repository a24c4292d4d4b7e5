import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BaseContext } from '@apollo/server';
import type { DestinationStream } from 'pino';
import { ErrorCode } from '../../lib/errors.js';
import { GATEWAY_TOKEN_HEADER, type VouchedIdentity } from '../../lib/gatewayToken.js';
import { GatewayTokenVerifier } from '../../lib/GatewayTokenVerifier.js';
import { createLimitedServer } from '../../lib/http/clientConnectionLimits.js';
import { gracefulClose } from '../../lib/http/gracefulClose.js';
import { HttpError } from '../../lib/http/HttpError.js';
import { graphqlRequestListener, sendJson } from '../../lib/http/graphqlRequestListener.js';
import { createLogger, type Logger } from '../../lib/logger.js';
import { readSubgraphConfig, type SubgraphConfig } from './config.js';
import { openDatabase, type Database } from './database.js';
import { createEventBus, type EventBus } from './eventBus.js';
import { SubgraphMetrics } from './metrics.js';
import { migrate } from './migrate.js';
import { readinessRoute } from './readiness.js';
import { logRequests } from './requestLog.js';
import type { SubgraphServer } from './server.js';
import { attachSubscriptionServer } from './subscriptionServer.js';

/** What a subgraph is, apart from where and how it runs: importing one starts nothing. */
export interface SubgraphDefinition<TContext extends BaseContext> {
  /** Service name: its folder under `subgraphs/`, its database schema, the `<NAME>` of its variables. */
  readonly name: string;
  /** Port it listens on when `PORT` is unset: its registry port. */
  readonly defaultPort: number;
  /** Subgraphs it calls itself, each found at `SUBGRAPH_<PEER>_URL`. @default [] */
  readonly peers?: readonly string[];
  /** The folder holding `NNN_*.sql` migrations and `seed.sql`. */
  readonly migrationsDir: string;
  /** Builds the service on its migrated database; nothing it builds listens. */
  createService(db: Database, config: SubgraphConfig, kit: ServiceKit): SubgraphService<TContext>;
}

/** What the kit runs for a service beside its database, closed by the kit when the service stops. */
export interface ServiceKit {
  /** Carries the service's subscription events: over Redis with `REDIS_URL`, in this process otherwise. */
  readonly events: EventBus;
  readonly logger: Logger;
}

/** A subgraph's GraphQL server, and what it holds beside it for as long as it runs. */
export interface SubgraphService<TContext extends BaseContext> {
  readonly server: SubgraphServer<TContext>;
  /** Builds a request's context, and a subscription event's; `identity` is the caller the gateway vouched for. */
  readonly createContext: (identity: VouchedIdentity) => TContext;
  /** Stops what the service runs beside its server (a background job, its connections). */
  readonly stop?: () => void | Promise<void>;
}

export interface StartSubgraphOptions {
  /** The environment its settings are read from, as `readSubgraphConfig` reads a process's. @default process.env */
  readonly env?: NodeJS.ProcessEnv | undefined;
  /** Where its JSON log lines go. @default stdout */
  readonly logDestination?: DestinationStream | undefined;
}

/** A subgraph serving GraphQL at /graphql plus /health, /ready and /metrics. */
export interface RunningSubgraph {
  readonly name: string;
  /** Its GraphQL endpoint. */
  readonly url: string;
  /** Where Prometheus scrapes it: /metrics on the same port. */
  readonly metricsUrl: string;
  /** The settings it runs with. */
  readonly config: SubgraphConfig;
  readonly databaseKind: Database['kind'];
  /** The migrations this start applied, in order; empty when the database was up to date. */
  readonly appliedMigrations: readonly string[];
  /**
   * Closes its WebSocket connections (1001), stops taking requests, lets those in
   * flight finish (for up to 2 s), then stops the service, its event bus and its database.
   */
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

/** How long requests in flight may take to finish once the subgraph stops. */
const STOP_GRACE_MS = 2_000;

/**
 * Starts a subgraph in this process: reads its settings from `options.env`,
 * opens and migrates its database, and serves it over HTTP until `stop`. It
 * leaves the process alone (no signal handlers, no exit), so several can run
 * side by side; `runSubgraph` is the process around one.
 */
export async function startSubgraph<TContext extends BaseContext>(
  definition: SubgraphDefinition<TContext>,
  options: StartSubgraphOptions = {},
): Promise<RunningSubgraph> {
  const config = readSubgraphConfig(definition.name, definition.defaultPort, definition.peers, options.env);
  const metrics = new SubgraphMetrics(config.name);
  const db = await openDatabase(config.name, config.databaseUrl, metrics.sqlStatements);
  const logger = createLogger(config.name, config.logLevel, options.logDestination);
  let events: EventBus | undefined;
  let service: SubgraphService<TContext> | undefined;
  try {
    const appliedMigrations = await migrate(db, definition.migrationsDir);
    events = createEventBus(config.name, config.redisUrl);
    service = definition.createService(db, config, { events, logger });
    const { server, createContext } = service;
    // Counted where requests arrive over HTTP, after the caller was accepted: a refused caller reaches no plugin.
    server.addPlugin({
      async requestDidStart() {
        metrics.graphqlRequests.inc();
      },
    });
    await server.start();
    const identities = new GatewayTokenVerifier(config.gatewayTrust);
    const httpServer = createLimitedServer(
      config.clientConnections,
      logRequests(
        logger,
        graphqlRequestListener(server, {
          maxBodyBytes: MAX_BODY_BYTES,
          context: async (req) => {
            // Only the gateway, or a peer service calling as itself, may call a subgraph.
            const header = req.headers[GATEWAY_TOKEN_HEADER];
            const identity = await identities.verify(Array.isArray(header) ? header[0] : header);
            if (identity === null) throw new HttpError(401, ErrorCode.Unauthenticated, 'This service answers only requests signed by the gateway.');
            return createContext(identity);
          },
          routes: {
            'GET /health': (_req, res) => sendJson(res, 200, { status: 'ok', service: config.name }),
            'GET /ready': readinessRoute(config.name, db, logger),
            'GET /metrics': async (_req, res) => {
              res.setHeader('content-type', metrics.registry.contentType);
              res.end(await metrics.registry.metrics());
            },
          },
        }),
      ),
    );
    httpServer.keepAliveTimeout = 65_000;
    const subscriptions = attachSubscriptionServer(httpServer, {
      schema: server.schema,
      identities,
      createContext,
      production: config.production,
      onActiveChange: (delta) => (delta > 0 ? metrics.activeSubscriptions.inc() : metrics.activeSubscriptions.dec()),
    });
    const closeHttpServer = gracefulClose(httpServer);
    await listen(httpServer, config.port, config.host);
    const { port } = httpServer.address() as AddressInfo;
    const origin = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;

    let stopped: Promise<void> | undefined;
    const running = service;
    const bus = events;
    return {
      name: config.name,
      url: `${origin}/graphql`,
      metricsUrl: `${origin}/metrics`,
      config,
      databaseKind: db.kind,
      appliedMigrations,
      stop: () =>
        (stopped ??= (async () => {
          // Subscribers are told to go elsewhere first; their sockets would otherwise hold the HTTP server open.
          await subscriptions.close(STOP_GRACE_MS);
          await closeHttpServer(STOP_GRACE_MS);
          try {
            await running.server.stop();
          } finally {
            await stopQuietly(logger, () => running.stop?.());
            await stopQuietly(logger, () => bus.close());
            await db.close();
          }
        })()),
    };
  } catch (error) {
    await stopQuietly(logger, () => service?.stop?.());
    await service?.server.stop().catch(() => undefined);
    await stopQuietly(logger, () => events?.close());
    await db.close();
    throw error;
  }
}

/** Runs one step of stopping; a failure is logged, so the steps after it still run. */
async function stopQuietly(logger: Logger, step: () => void | Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    logger.warn({ err: error }, 'stopping a part of the service failed');
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // A port that is taken is reported as an error event, not to the callback.
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
