import { readRegistry } from '../schema/registry.js';
import { reloadOnSchemaChange } from './reloadOnSchemaChange.js';
import { CURRENT_RUNTIME } from './serviceCommands.js';
import { startSystem } from './system.js';

// npm start: every subgraph and the gateway, in one terminal, until Ctrl-C.
const startedAt = performance.now();
const database = process.env['DATABASE_URL'] ? 'PostgreSQL (DATABASE_URL)' : 'embedded databases (in-process PGlite)';
console.log(`Starting Supergate with ${database}...`);

try {
  const system = await startSystem({
    onCrash(name, code, signal) {
      console.error(
        `\n!!! ${name} crashed (${signal ?? `exit code ${String(code)}`}). The gateway keeps answering; ${name}'s fields fail with SUBGRAPH_UNAVAILABLE until it is restarted.\n`,
      );
      process.exitCode = 1;
    },
  });
  console.log('\nSupergate is up in %d s:', ((performance.now() - startedAt) / 1000).toFixed(1));
  for (const service of system.services.values()) {
    if (service.name !== 'gateway') console.log(`  ${service.name.padEnd(10)} ${service.url}`);
  }
  console.log(`  ${'gateway'.padEnd(10)} ${system.gatewayUrl}   <- send queries here\n`);
  // Built, the launcher reads dist/'s copies of the SDL files: an edit to the sources needs a new build.
  if (process.env['NODE_ENV'] !== 'production' && CURRENT_RUNTIME === 'sources') {
    reloadOnSchemaChange(system, readRegistry(), (line) => console.log(line));
    console.log("Watching each subgraph's schema.graphql: a change restarts that subgraph and recomposes the supergraph.\n");
  }
  const shutdown = (): void => {
    console.log('\nStopping...');
    void system.stop().then(() => process.exit(process.exitCode ?? 0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
} catch (error) {
  console.error(`\nSupergate failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
