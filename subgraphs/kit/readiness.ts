import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../../lib/http/graphqlRequestListener.js';
import type { Logger } from '../../lib/logger.js';
import { DatabaseTimeoutError, type Database } from './database.js';

/** Longest wait for the database's `SELECT 1`: well inside the gateway's one-second probe of `/ready`. */
export const DATABASE_CHECK_TIMEOUT_MS = 500;

/** The body of a subgraph's `GET /ready`. */
export interface SubgraphReadiness {
  readonly status: 'ready' | 'unavailable';
  readonly service: string;
  readonly database: 'up' | 'down';
  /** Why the service is not ready; never a connection string or SQL. */
  readonly reason?: string;
}

/**
 * `GET /ready`: 200 while the service's database answers a `SELECT 1` within
 * `DATABASE_CHECK_TIMEOUT_MS`, 503 with the reason otherwise, since every field
 * the service resolves from its database would fail. `/health` stays 200: the
 * process is alive and recovers by itself when the database returns.
 */
export function readinessRoute(service: string, db: Database, logger: Logger): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  let wasReady = true;
  return async (_req, res) => {
    let body: SubgraphReadiness;
    try {
      await db.ping(DATABASE_CHECK_TIMEOUT_MS);
      body = { status: 'ready', service, database: 'up' };
      if (!wasReady) logger.info('the database answers again; ready');
      wasReady = true;
    } catch (error) {
      const reason = reasonFor(error);
      body = { status: 'unavailable', service, database: 'down', reason };
      // Once per outage: the gateway and the orchestrator ask every few seconds.
      if (wasReady) logger.warn({ err: error }, `not ready: ${reason}`);
      wasReady = false;
    }
    sendJson(res, body.status === 'ready' ? 200 : 503, body);
  };
}

function reasonFor(error: unknown): string {
  if (error instanceof DatabaseTimeoutError) return error.message;
  // A driver or socket code (ECONNREFUSED, 57P01, ...) says what happened without naming the server.
  const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  return code === undefined ? 'the database check failed' : `the database check failed (${code})`;
}
