import cluster from 'node:cluster';
import { readGatewayConfig } from './config.js';
import { superviseWorkers } from './resilience/superviseWorkers.js';
import { createSupergate } from './supergate.js';

async function main(): Promise<void> {
  const config = readGatewayConfig();
  if (config.jwtDevelopmentSecret && cluster.isPrimary) {
    console.warn('[gateway] JWT_SECRET is not set: verifying tokens with the built-in development secret (refused in production). Get a token with `npm run token -- --sub u1`.');
  }
  if (config.workers > 1 && cluster.isPrimary) {
    superviseWorkers({ workers: config.workers, shutdownGraceMs: config.shutdownGraceMs, log: (level, message) => console[level](`[gateway] ${message}`) });
    return;
  }
  const gateway = createSupergate({ config });
  const url = await gateway.listen();
  // Printed before the listening line, which launchers wait for.
  console.log(`[gateway] serving metrics at ${gateway.metricsUrl}`);
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

main().catch((error: unknown) => {
  console.error(`[gateway] failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
