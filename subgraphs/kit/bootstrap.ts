import type { AddressInfo } from 'node:net';
import type { ApolloServer, BaseContext } from '@apollo/server';
import { ErrorCode } from '../../lib/errors.js';
import { GATEWAY_TOKEN_HEADER, type VouchedIdentity } from '../../lib/gatewayToken.js';
import { GatewayTokenVerifier } from '../../lib/GatewayTokenVerifier.js';
import { createLimitedServer } from '../../lib/http/clientConnectionLimits.js';
import { HttpError } from '../../lib/http/HttpError.js';
import { graphqlRequestListener, sendJson } from '../../lib/http/graphqlRequestListener.js';
import { createLogger } from '../../lib/logger.js';
import type { SubgraphConfig } from './config.js';
import { openDatabase, type Database } from './database.js';
import { registry } from './metrics.js';
import { migrate } from './migrate.js';
import { readinessRoute } from './readiness.js';
import { logRequests } from './requestLog.js';

export interface SubgraphDefinition<TContext extends BaseContext> {
  config: SubgraphConfig;
  /** The folder holding `NNN_*.sql` migrations and `seed.sql`. */
  migrationsDir: string;
  createServer(db: Database): ApolloServer<TContext>;
  /** Builds a request's context; `identity` is the caller the gateway vouched for. */
  createContext(db: Database, identity: VouchedIdentity): TContext;
}

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Starts a subgraph process: opens and migrates its database, serves GraphQL
 * at /graphql plus /health, /ready (its database answers) and /metrics, and shuts down cleanly on SIGTERM/SIGINT.
 * Prints `[name] listening on <url>` once ready; the launcher waits for that line.
 */
export async function runSubgraph<TContext extends BaseContext>(definition: SubgraphDefinition<TContext>): Promise<void> {
  const { config } = definition;
  const db = await openDatabase(config.name, config.databaseUrl);
  const applied = await migrate(db, definition.migrationsDir);
  if (applied.length > 0) console.log(`[${config.name}] applied migrations: ${applied.join(', ')}`);
  const server = definition.createServer(db);
  await server.start();
  if (config.production && config.gatewayTrust.sharedSecret !== undefined) {
    console.warn(`[${config.name}] WARNING: GATEWAY_SECRET is set, so any holder of it can sign as the gateway or any service. Accepting it only while moving to key pairs; remove it once the gateway signs with GATEWAY_SIGNING_KEY (README: "Service identity").`);
  }
  const identities = new GatewayTokenVerifier(config.gatewayTrust);
  const logger = createLogger(config.name, config.logLevel);
  const httpServer = createLimitedServer(
    config.clientConnections,
    logRequests(logger, graphqlRequestListener(server, {
      maxBodyBytes: MAX_BODY_BYTES,
      context: async (req) => {
        // Only the gateway, or a peer service calling as itself, may call a subgraph.
        const header = req.headers[GATEWAY_TOKEN_HEADER];
        const identity = await identities.verify(Array.isArray(header) ? header[0] : header);
        if (identity === null) throw new HttpError(401, ErrorCode.Unauthenticated, 'This service answers only requests signed by the gateway.');
        return definition.createContext(db, identity);
      },
      routes: {
        'GET /health': (_req, res) => sendJson(res, 200, { status: 'ok', service: config.name }),
        'GET /ready': readinessRoute(config.name, db, logger),
        'GET /metrics': async (_req, res) => {
          res.setHeader('content-type', registry.contentType);
          res.end(await registry.metrics());
        },
      },
    })),
  );
  httpServer.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => httpServer.listen(config.port, config.host, resolve));
  const { port } = httpServer.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  console.log(`[${config.name}] listening on http://${host}:${port}/graphql (${db.kind} database)`);

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    // Bounded: a stuck connection or database handle must not keep a stopped service alive.
    setTimeout(() => process.exit(0), 3_000).unref();
    httpServer.close();
    httpServer.closeIdleConnections();
    try {
      await server.stop();
      await db.close();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  // Started by the launcher (npm start, tests): stop when it goes away, however it ended.
  if (process.send !== undefined) process.on('disconnect', () => void stop());
}

/** Runs `main` and exits loudly if start-up fails. */
export function startOrExit(name: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(`[${name}] failed to start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
