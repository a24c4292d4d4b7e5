import { createServer, type RequestListener, type Server } from 'node:http';
import { ConfigError } from '../ConfigError.js';

/** How long a client may take to send a request, and how many connections may be open at once. */
export interface ClientConnectionLimits {
  /** Longest a client may take to send a whole request, headers and body; then 408 and the connection is closed. Env `REQUEST_TIMEOUT_MS`. @default 30000 */
  readonly requestTimeoutMs: number;
  /** Longest a client may take to send the request headers. Env `HEADERS_TIMEOUT_MS`, at most `REQUEST_TIMEOUT_MS`. @default 10000 */
  readonly headersTimeoutMs: number;
  /** Most open client connections per process; further ones are closed on arrival. Env `MAX_CONNECTIONS`. @default 10000 */
  readonly maxConnections: number;
}

/** Parses the three variables, as the gateway and every subgraph read them. */
export function readClientConnectionLimits(
  requestTimeout: string | undefined,
  headersTimeout: string | undefined,
  maxConnections: string | undefined,
): ClientConnectionLimits {
  const requestTimeoutMs = parseCount('REQUEST_TIMEOUT_MS', requestTimeout, 30_000, 100, 3_600_000);
  const headersTimeoutMs = parseCount('HEADERS_TIMEOUT_MS', headersTimeout, Math.min(10_000, requestTimeoutMs), 100, 3_600_000);
  // Node refuses to start a server whose headers deadline is past its request deadline.
  if (headersTimeoutMs > requestTimeoutMs)
    throw new ConfigError('HEADERS_TIMEOUT_MS', `at most REQUEST_TIMEOUT_MS (${requestTimeoutMs})`, String(headersTimeoutMs));
  return Object.freeze({ requestTimeoutMs, headersTimeoutMs, maxConnections: parseCount('MAX_CONNECTIONS', maxConnections, 10_000, 1, 1_000_000) });
}

/**
 * An HTTP server that holds clients to `limits` with Node's own options. Node
 * checks the deadlines only every `connectionsCheckingInterval` (30 s by
 * default), so the interval follows the headers deadline: a body dribbled one
 * byte a second is cut off with 408 near its deadline, not up to 30 s later.
 */
export function createLimitedServer(limits: ClientConnectionLimits, listener: RequestListener): Server {
  const server = createServer(
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    listener,
  );
  server.maxConnections = limits.maxConnections;
  return server;
}

function parseCount(variable: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  const value = raw?.trim();
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < min || parsed > max) throw new ConfigError(variable, `an integer from ${min} to ${max}`, value);
  return parsed;
}
