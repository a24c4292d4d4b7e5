import type { Server } from 'node:http';
import type { Logger } from '../../lib/logger.js';
import type { GatewayConfig } from './config.js';
import { createSupergate } from './supergate.js';

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

/** Serves the gateway with the default pipeline on `config.host`:`config.port`; `createSupergate` for other plugins. */
export async function startGateway(config: GatewayConfig, options: StartGatewayOptions = {}): Promise<RunningGateway> {
  const supergate = createSupergate({ config, logger: options.logger, log: options.log });
  const url = await supergate.listen();
  return { url, metricsUrl: supergate.metricsUrl ?? '', httpServer: supergate.httpServer, stop: () => supergate.stop() };
}
