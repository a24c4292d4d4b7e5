import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BaseContext } from '@apollo/server';
import type { DestinationStream } from 'pino';
import { loadGatewayConfig } from '../../gateway/src/config.js';
import { createSupergate } from '../../gateway/src/supergate.js';
import { createLogger } from '../../lib/logger.js';
import { readRegistry, type SubgraphEntry } from '../../schema/registry.js';
import { developmentIdentityKeys, gatewayIdentityEnv, subgraphIdentityEnv, type DevelopmentIdentityKeys } from '../../scripts/developmentKeys.js';
import { PROJECT_ROOT } from '../../scripts/serviceCommands.js';
import { freePort, purgeUrlFor } from '../../scripts/system.js';
import { startSubgraph, type RunningSubgraph, type SubgraphDefinition } from '../../subgraphs/kit/startSubgraph.js';

// The shop as startSystem (scripts/system.ts) runs it, every service in this process instead of
// a process each: the registry's subgraphs through the kit's startSubgraph, the gateway through
// createSupergate, all on loopback ports picked by the system, each with its settings read from
// an environment of its own by the same readers the processes use.

export interface InProcessSystemOptions {
  /**
   * The environment every service reads its settings from, in place of this process's:
   * `DATABASE_URL` and `REDIS_URL` for PostgreSQL and Redis, `NODE_ENV`, limits.
   * @default {} (embedded databases, cache and counters in memory)
   */
  readonly env?: Readonly<Record<string, string>>;
  /** Receives every line a service logs, as `[name] <line>`, as startSystem's `log` does. @default dropped */
  readonly log?: (line: string) => void;
}

export interface InProcessService {
  readonly name: string;
  readonly url: string;
  /** Where Prometheus scrapes it. */
  readonly metricsUrl: string | undefined;
}

export interface InProcessSystem {
  readonly gatewayUrl: string;
  /** The services running now, by name: each subgraph, `gateway`, and `gateway-2`, `gateway-3`... once added. */
  readonly services: ReadonlyMap<string, InProcessService>;
  /** The key pairs made up for this run, when the environment configured none. */
  readonly identityKeys: DevelopmentIdentityKeys | undefined;
  /** Stops one subgraph: its port refuses connections, as when the service is down, until `startSubgraph`. */
  stopSubgraph(name: string): Promise<void>;
  /** Starts a stopped subgraph again on the port it had, with a fresh embedded database. */
  startSubgraph(name: string): Promise<InProcessService>;
  /** Starts another replica of a subgraph on a free port, with the same settings as the first (share a database and Redis for it to be one service); stopped with the system. */
  addSubgraphReplica(name: string): Promise<RunningSubgraph>;
  /** Starts one more gateway on a free port, in front of the same subgraphs, with extra environment. */
  addGateway(env?: Readonly<Record<string, string>>): Promise<InProcessService>;
  /** Stops one gateway, as SIGTERM would: requests in flight are answered first. */
  stopGateway(name: string): Promise<void>;
  /** Stops every service: the gateways, then the subgraphs. */
  stop(): Promise<void>;
}

/** Starts every registered subgraph, callers after the peers they call, then the gateway in front of them. */
export async function startInProcessSystem(options: InProcessSystemOptions = {}): Promise<InProcessSystem> {
  const env = options.env ?? {};
  const log = options.log ?? (() => undefined);
  const entries = readRegistry();
  const definitions = new Map(await Promise.all(entries.map(async (entry) => [entry.name, await importDefinition(entry)] as const)));
  const identityKeys = developmentIdentityKeys(entries, env);
  const subgraphs = new Map<string, RunningSubgraph>();
  const gateways = new Map<string, { service: InProcessService; stop(): Promise<void> }>();
  const ports = new Map<string, number>();
  let addedGateways = 0;
  // Chosen before the subgraphs start, so orders knows where to post its cache purges when there is no Redis.
  const gatewayPort = await freePort('127.0.0.1');
  const cachePurgeUrl = purgeUrlFor(env, '127.0.0.1', String(gatewayPort));

  const services = (): Map<string, InProcessService> =>
    new Map<string, InProcessService>([
      ...[...subgraphs.values()].map((subgraph) => [subgraph.name, subgraph] as const),
      ...[...gateways].map(([name, gateway]) => [name, gateway.service] as const),
    ]);

  const urlOf = (name: string): string => {
    const url = subgraphs.get(name)?.url;
    if (url === undefined) throw new Error(`the ${name} subgraph is not running`);
    return url;
  };

  const replicas: RunningSubgraph[] = [];
  const launchSubgraph = async (entry: SubgraphEntry, replica = false): Promise<RunningSubgraph> => {
    const definition = definitions.get(entry.name);
    if (definition === undefined) throw new Error(`no subgraph named ${entry.name}`);
    const subgraphEnv: Record<string, string> = {
      ...env,
      ...subgraphIdentityEnv(identityKeys, entry),
      ...(cachePurgeUrl === undefined ? {} : { CACHE_PURGE_URL: cachePurgeUrl }),
      PORT: String(replica ? 0 : (ports.get(entry.name) ?? 0)),
    };
    for (const peer of entry.peers) subgraphEnv[`SUBGRAPH_${peer.toUpperCase()}_URL`] = urlOf(peer);
    const running = await startSubgraph(definition, { env: subgraphEnv, logDestination: lines(entry.name, log) });
    if (replica) {
      replicas.push(running);
      return running;
    }
    subgraphs.set(entry.name, running);
    ports.set(entry.name, Number(new URL(running.url).port));
    return running;
  };

  const launchGateway = async (name: string, extraEnv: Readonly<Record<string, string>>, port = 0): Promise<InProcessService> => {
    // On free ports the metrics port is free too, unless the caller chose one.
    const gatewayEnv: Record<string, string> = { METRICS_PORT: '0', ...env, ...gatewayIdentityEnv(identityKeys) };
    for (const entry of entries) gatewayEnv[`SUBGRAPH_${entry.name.toUpperCase()}_URL`] = urlOf(entry.name);
    const { config } = await loadGatewayConfig({ cwd: PROJECT_ROOT }, { ...gatewayEnv, ...extraEnv });
    const gateway = createSupergate({ config, logger: createLogger('gateway', config.observability.logLevel, lines(name, log)) });
    try {
      const url = await gateway.listen({ port });
      const service = { name, url, metricsUrl: gateway.metricsUrl };
      gateways.set(name, { service, stop: () => gateway.stop() });
      return service;
    } catch (error) {
      await gateway.stop();
      throw error;
    }
  };

  const stop = async (): Promise<void> => {
    await Promise.all([...gateways.values()].map((gateway) => gateway.stop()));
    gateways.clear();
    await Promise.all([...subgraphs.values(), ...replicas.splice(0)].map((subgraph) => subgraph.stop()));
    subgraphs.clear();
  };

  try {
    for (const wave of startingOrder(entries)) {
      // Settled, not raced: a subgraph still starting when another fails would be left running.
      const failed = (await Promise.allSettled(wave.map((entry) => launchSubgraph(entry)))).find((outcome) => outcome.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    }
    const gateway = await launchGateway('gateway', {}, gatewayPort);
    return {
      gatewayUrl: gateway.url,
      get services() {
        return services();
      },
      identityKeys,
      async stopSubgraph(name) {
        const running = subgraphs.get(name);
        if (running === undefined) throw new Error(`no running subgraph named ${name}`);
        subgraphs.delete(name);
        await running.stop();
      },
      startSubgraph(name) {
        const entry = entries.find((candidate) => candidate.name === name);
        if (entry === undefined) throw new Error(`no subgraph named ${name}`);
        if (subgraphs.has(name)) throw new Error(`the ${name} subgraph is running already`);
        return launchSubgraph(entry);
      },
      addSubgraphReplica(name) {
        const entry = entries.find((candidate) => candidate.name === name);
        if (entry === undefined) throw new Error(`no subgraph named ${name}`);
        return launchSubgraph(entry, true);
      },
      addGateway(extraEnv = {}) {
        // Named when asked for, so gateways added at once get names of their own.
        addedGateways += 1;
        return launchGateway(`gateway-${addedGateways + 1}`, extraEnv);
      },
      async stopGateway(name) {
        const gateway = gateways.get(name);
        if (gateway === undefined) throw new Error(`no running gateway named ${name}`);
        gateways.delete(name);
        await gateway.stop();
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The subgraphs in waves: each wave calls only subgraphs of the waves before it. */
function startingOrder(entries: readonly SubgraphEntry[]): SubgraphEntry[][] {
  const waves: SubgraphEntry[][] = [];
  const started = new Set<string>();
  let waiting = [...entries];
  while (waiting.length > 0) {
    const wave = waiting.filter((entry) => entry.peers.every((peer) => started.has(peer)));
    if (wave.length === 0) throw new Error(`the peers of ${waiting.map((entry) => entry.name).join(', ')} call each other in a circle`);
    waves.push(wave);
    for (const entry of wave) started.add(entry.name);
    waiting = waiting.filter((entry) => !started.has(entry.name));
  }
  return waves;
}

/** The definition `subgraphs/<name>/server.ts` exports as `subgraph`. */
async function importDefinition(entry: SubgraphEntry): Promise<SubgraphDefinition<BaseContext>> {
  const path = join(PROJECT_ROOT, 'subgraphs', entry.name, 'server.ts');
  const module: unknown = await import(pathToFileURL(path).href);
  const definition = typeof module === 'object' && module !== null && 'subgraph' in module ? module.subgraph : undefined;
  if (!isSubgraphDefinition(definition) || definition.name !== entry.name)
    throw new Error(`${path} must export the ${entry.name} subgraph's definition as \`subgraph\``);
  return definition;
}

// Its context type is the subgraph's own; startSubgraph only hands a context from createContext to the server.
function isSubgraphDefinition(value: unknown): value is SubgraphDefinition<BaseContext> {
  return (
    typeof value === 'object' &&
    value !== null &&
    'name' in value &&
    typeof value.name === 'string' &&
    'defaultPort' in value &&
    typeof value.defaultPort === 'number' &&
    'migrationsDir' in value &&
    typeof value.migrationsDir === 'string' &&
    'createService' in value &&
    typeof value.createService === 'function'
  );
}

/** A log destination passing each line on as `[name] <line>`. */
function lines(name: string, log: (line: string) => void): DestinationStream {
  return {
    write(text) {
      for (const line of text.split('\n')) if (line !== '') log(`[${name}] ${line}`);
    },
  };
}
