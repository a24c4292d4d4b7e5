import cluster from 'node:cluster';
import { loadGatewayConfig, type GatewayConfigSources } from './config.js';
import { superviseWorkers } from './resilience/superviseWorkers.js';
import { createSupergate } from './supergate.js';

export interface RunGatewayOptions {
  /** Appended to the warning about the development JWT secret: how to get a token. @default '' */
  readonly tokenHint?: string;
}

/**
 * Runs the gateway as its own process: reads the settings, forks workers when
 * `GATEWAY_WORKERS` asks for them, serves until SIGTERM, SIGINT or its launcher
 * goes away, and exits 1 with the reason when it cannot start.
 */
export async function runGateway(sources: GatewayConfigSources, options: RunGatewayOptions = {}): Promise<void> {
  try {
    await serve(sources, options);
  } catch (error) {
    console.error(`[gateway] failed to start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}

async function serve(sources: GatewayConfigSources, options: RunGatewayOptions): Promise<void> {
  const { config, configFile } = await loadGatewayConfig(sources);
  if (cluster.isPrimary) {
    if (configFile !== undefined) console.log(`[gateway] settings from ${configFile}, under the environment's and the command line's`);
    if (config.jwtDevelopmentSecret) {
      console.warn(`[gateway] JWT_SECRET is not set: verifying tokens with the built-in development secret (refused in production).${options.tokenHint ?? ''}`);
    }
  }
  if (config.workers > 1 && cluster.isPrimary) {
    superviseWorkers({ workers: config.workers, shutdownGraceMs: config.shutdownGraceMs, log: (level, message) => console[level](`[gateway] ${message}`) });
    return;
  }
  const gateway = createSupergate({ config });
  const url = await gateway.listen();
  // Printed before the listening line, which launchers wait for.
  console.log(`[gateway] serving metrics at ${String(gateway.metricsUrl)}`);
  console.log(`[gateway] listening on ${url}${config.production ? '' : ' (development mode)'}`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    gateway.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('[gateway] failed to stop cleanly', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Started by the launcher (npm start, tests) or a cluster primary: stop when it goes away, however it ended.
  if (process.send !== undefined) process.on('disconnect', stop);
}
