import type { BaseContext } from '@apollo/server';
import { startSubgraph, type SubgraphDefinition } from './startSubgraph.js';

/** Longest a stopping subgraph process may take before it exits regardless. */
const EXIT_DEADLINE_MS = 3_000;

/**
 * Runs a subgraph as its own process: starts it from the process's environment,
 * prints `[name] listening on <url>` once it serves (the launcher waits for that
 * line), and exits cleanly on SIGTERM, SIGINT or when its launcher goes away.
 * Exits 1 with the reason when it cannot start.
 */
export async function runSubgraph<TContext extends BaseContext>(definition: SubgraphDefinition<TContext>): Promise<void> {
  const subgraph = await startSubgraph(definition).catch((error: unknown) => {
    console.error(`[${definition.name}] failed to start: ${error instanceof Error ? error.message : String(error)}`);
    return process.exit(1);
  });
  const { config } = subgraph;
  if (subgraph.appliedMigrations.length > 0) console.log(`[${config.name}] applied migrations: ${subgraph.appliedMigrations.join(', ')}`);
  if (config.production && config.gatewayTrust.sharedSecret !== undefined) {
    console.warn(
      `[${config.name}] WARNING: GATEWAY_SECRET is set, so any holder of it can sign as the gateway or any service. Accepting it only while moving to key pairs; remove it once the gateway signs with GATEWAY_SIGNING_KEY (README: "Service identity").`,
    );
  }
  console.log(`[${config.name}] listening on ${subgraph.url} (${subgraph.databaseKind} database)`);

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    // Bounded: a stuck connection or database handle must not keep a stopped service alive.
    setTimeout(() => process.exit(0), EXIT_DEADLINE_MS).unref();
    try {
      await subgraph.stop();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  // Started by the launcher (npm start, tests): stop when it goes away, however it ended.
  if (process.send !== undefined) process.on('disconnect', () => void stop());
}
