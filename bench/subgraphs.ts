import { readRegistry } from '../schema/registry.js';
import { gatewayIdentityEnv } from '../scripts/developmentKeys.js';
import { startSystem } from '../scripts/system.js';
import type { Cleanup } from './Cleanup.js';
import { openBenchDatabase } from './database.js';

export interface RunningSubgraphs {
  /** Which database they use and why, for the output. */
  readonly database: string;
  /** `SUBGRAPH_<NAME>_URL` for a gateway in front of them, and the key it signs identity tokens with. */
  readonly gatewayEnv: Readonly<Record<string, string>>;
}

/**
 * Starts every registered subgraph on a free port, on a scratch database, without
 * a gateway: the caller starts its own, with its own settings. Everything is undone
 * by `cleanup`.
 */
export async function startSubgraphs(options: {
  readonly env: Readonly<Record<string, string>>;
  readonly cleanup: Cleanup;
  readonly log: (line: string) => void;
  /** True once the caller is stopping, so that exits it caused are not reported. */
  readonly interrupted: () => boolean;
}): Promise<RunningSubgraphs> {
  const registry = readRegistry();
  const database = await openBenchDatabase(registry.map((entry) => entry.name));
  options.cleanup.add(() => database.drop());
  options.log(`subgraphs: ${database.description}`);

  const systemOutput: string[] = [];
  const system = await startSystem({
    freePorts: true,
    subgraphs: registry,
    env: { ...options.env, ...database.env },
    log: (line) => {
      systemOutput.push(line);
      if (systemOutput.length > 100) systemOutput.shift();
    },
    onCrash: (name, code, signal) => {
      // The gateway is stopped on purpose below; on Ctrl-C every subgraph stops on its own.
      if (name !== 'gateway' && !options.interrupted())
        console.error(`subgraph ${name} exited (${signal ?? `code ${String(code)}`}) during the run; later numbers are not valid:\n${systemOutput.join('\n')}`);
    },
  });
  options.cleanup.add(() => system.stop());
  await system.kill('gateway');
  const gatewayEnv: Record<string, string> = { ...gatewayIdentityEnv(system.identityKeys) };
  for (const entry of registry) gatewayEnv[`SUBGRAPH_${entry.name.toUpperCase()}_URL`] = system.services.get(entry.name)!.url;
  options.log(`subgraphs listening: ${registry.map((entry) => `${entry.name} ${system.services.get(entry.name)!.url}`).join(', ')}`);
  return { database: database.description, gatewayEnv };
}
