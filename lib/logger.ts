import { hostname } from 'node:os';
import { pino, type DestinationStream, type Logger } from 'pino';
import { ConfigError } from './ConfigError.js';

export type { Logger } from 'pino';

/** Accepted values of `LOG_LEVEL`, most to least severe; `silent` logs nothing. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** LOG_LEVEL as the gateway and every subgraph read it: `info` when unset. */
export function readLogLevel(raw: string | undefined): LogLevel {
  const value = raw?.trim().toLowerCase() ?? '';
  if (value === '') return 'info';
  if (!isLogLevel(value)) throw new ConfigError('LOG_LEVEL', `one of ${LOG_LEVELS.join(', ')}`, raw ?? '');
  return value;
}

function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/**
 * One JSON object per line on stdout (or `destination`), with the level as a
 * word and an ISO timestamp, so log collectors need no pino-specific parsing.
 * `pid` and `hostname` tell replicas and cluster workers apart.
 */
export function createLogger(service: string, level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service, pid: process.pid, hostname: hostname() },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
