import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { readRegistry, type SubgraphEntry } from '../schema/registry.js';
import { forEachLine, terminate } from './childProcesses.js';
import { developmentIdentityKeys, gatewayIdentityEnv, subgraphIdentityEnv, type DevelopmentIdentityKeys } from './developmentKeys.js';
import { CURRENT_RUNTIME, GATEWAY_ENTRY, nodeArguments, PROJECT_ROOT, subgraphEntry, type ServiceRuntime } from './serviceCommands.js';

export { PROJECT_ROOT } from './serviceCommands.js';

export interface SystemOptions {
  /** Pick free ports (for tests) instead of the registry's and PORT/<NAME>_PORT. @default false */
  freePorts?: boolean;
  /** Environment for every process, on top of this process's own. */
  env?: Readonly<Record<string, string>>;
  /** Receives every line the processes print. @default console.log */
  log?: (line: string) => void;
  /** Called when a service exits while the system is meant to be running. */
  onCrash?: (name: string, code: number | null, signal: NodeJS.Signals | null) => void;
  /** Subgraphs to run. @default every entry of schema/supergraph.yaml */
  subgraphs?: readonly SubgraphEntry[];
  /** Longest wait for one service to print its listening line. @default 60000 */
  startTimeoutMs?: number;
  /** Run the services from sources through tsx, or their compiled `dist/` files with plain node. @default the runtime this module runs in */
  runtime?: ServiceRuntime;
  /** The folder the services run from: a checkout, or one laid out as the image is (package.json, node_modules, dist/). @default this project's root */
  root?: string;
}

export interface RunningService {
  readonly name: string;
  readonly url: string;
  /** Where the service serves Prometheus metrics, when it says so at start-up (the gateway's metrics port). */
  readonly metricsUrl?: string | undefined;
  readonly process: ChildProcess;
}

export interface RunningSystem {
  readonly gatewayUrl: string;
  readonly services: ReadonlyMap<string, RunningService>;
  /** The key pairs made up for this run, when the environment configured none. */
  readonly identityKeys: DevelopmentIdentityKeys | undefined;
  /** Kills one service abruptly (SIGKILL), as a crash would. */
  kill(name: string): Promise<void>;
  /** Restarts one subgraph on the same port (after its SDL or code changed). */
  restart(name: string): Promise<RunningService>;
  /** Starts one more gateway process on a free port, in front of the same subgraphs, with extra environment. */
  addGateway(env?: Readonly<Record<string, string>>): Promise<RunningService>;
  /** Stops every process (SIGTERM, then SIGKILL after a grace period). */
  stop(): Promise<void>;
}

/**
 * Starts every registered subgraph as its own process, then the gateway pointed
 * at them. Services that call peers start after those peers are listening.
 */
export async function startSystem(options: SystemOptions = {}): Promise<RunningSystem> {
  const log = options.log ?? ((line: string) => console.log(line));
  const entries = options.subgraphs ?? readRegistry();
  const baseEnv = { ...process.env, ...options.env };
  const identityKeys = developmentIdentityKeys(entries, baseEnv);
  const services = new Map<string, RunningService>();
  let stopping = false;

  // Processes stopped on purpose by restart(), whose exit is not a crash.
  const replaced = new WeakSet<ChildProcess>();
  const runtime = options.runtime ?? CURRENT_RUNTIME;
  const root = options.root ?? PROJECT_ROOT;

  const launch = async (name: string, entry: string, env: Record<string, string | undefined>): Promise<RunningService> => {
    // The IPC channel lets a service notice its launcher is gone (even after SIGKILL) and stop too.
    const child = spawn(process.execPath, nodeArguments(entry, runtime), { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const { url, metricsUrl } = await waitForListening(name, child, log, options.startTimeoutMs ?? 60_000);
    child.once('exit', (code, signal) => {
      if (!stopping && !replaced.has(child)) options.onCrash?.(name, code, signal);
    });
    const service = { name, url, metricsUrl, process: child };
    services.set(name, service);
    return service;
  };

  const stop = async (): Promise<void> => {
    stopping = true;
    await Promise.all([...services.values()].map((service) => terminate(service.process)));
  };

  const launchSubgraph = (entry: SubgraphEntry, port: number, urlOf: (name: string) => string | undefined): Promise<RunningService> => {
    const env: Record<string, string | undefined> = { ...baseEnv, ...subgraphIdentityEnv(identityKeys, entry), PORT: String(port) };
    // Without Redis, changes made outside requests (orders' fulfilment) reach the gateway's cache over HTTP.
    if (cachePurgeUrl !== undefined) env['CACHE_PURGE_URL'] = cachePurgeUrl;
    for (const peer of entry.peers) {
      const peerUrl = urlOf(peer);
      if (peerUrl === undefined) throw new Error(`${entry.name} calls ${peer}, which is not registered`);
      env[`SUBGRAPH_${peer.toUpperCase()}_URL`] = peerUrl;
    }
    return launch(entry.name, subgraphEntry(entry.name), env);
  };
  const launchGateway = (
    port: string,
    urlOf: (name: string) => string | undefined,
    name = 'gateway',
    extraEnv: Readonly<Record<string, string>> = {},
  ): Promise<RunningService> => {
    // On free ports the metrics port is free too, unless the caller chose one.
    const env: Record<string, string | undefined> = {
      ...(options.freePorts ? { METRICS_PORT: '0' } : {}),
      ...baseEnv,
      ...gatewayIdentityEnv(identityKeys),
      PORT: port,
    };
    for (const entry of entries) env[`SUBGRAPH_${entry.name.toUpperCase()}_URL`] = urlOf(entry.name);
    return launch(name, GATEWAY_ENTRY, { ...env, ...extraEnv });
  };

  const host = baseEnv['HOST'] === undefined || baseEnv['HOST'] === '' || baseEnv['HOST'] === '0.0.0.0' ? '127.0.0.1' : baseEnv['HOST'];
  // The gateway's port is chosen before the subgraphs start, so they can be told where its purge route is.
  const gatewayPort = options.freePorts ? String(await freePort(host)) : (baseEnv['PORT'] ?? '4000');
  const cachePurgeUrl = purgeUrlFor(baseEnv, host, gatewayPort);

  try {
    let gateway: RunningService;
    if (options.freePorts) {
      // Free ports are known only once a service listens, so callers start after the services they call.
      const urlOf = (name: string) => services.get(name)?.url;
      for (const wave of [entries.filter((e) => e.peers.length === 0), entries.filter((e) => e.peers.length > 0)]) {
        await Promise.all(wave.map((entry) => launchSubgraph(entry, 0, urlOf)));
      }
      gateway = await launchGateway(gatewayPort, urlOf);
    } else {
      // Fixed ports: every URL is known up front, so everything starts at once.
      const assigned = entries.map((entry) => ({ entry, port: portFor(entry, baseEnv) }));
      const ports = new Map(assigned.map(({ entry, port }) => [entry.name, port]));
      const urlOf = (name: string) => {
        const port = ports.get(name);
        return port === undefined ? undefined : `http://${host}:${port}/graphql`;
      };
      const started = await Promise.all([launchGateway(gatewayPort, urlOf), ...assigned.map(({ entry, port }) => launchSubgraph(entry, port, urlOf))]);
      gateway = started[0];
    }
    return {
      gatewayUrl: gateway.url,
      services,
      identityKeys,
      async kill(name) {
        const service = services.get(name);
        if (service === undefined) throw new Error(`no service named ${name}`);
        const exited = new Promise((resolve) => service.process.once('exit', resolve));
        service.process.kill('SIGKILL');
        await exited;
      },
      async restart(name) {
        const service = services.get(name);
        const entry = entries.find((candidate) => candidate.name === name);
        if (service === undefined || entry === undefined) throw new Error(`no subgraph named ${name}`);
        services.delete(name);
        replaced.add(service.process);
        const exited = new Promise((resolve) => service.process.once('exit', resolve));
        if (service.process.exitCode === null && service.process.signalCode === null) {
          service.process.kill('SIGTERM');
          await exited;
        }
        const urlOf = (peer: string) => services.get(peer)?.url;
        return launchSubgraph(entry, Number(new URL(service.url).port), urlOf);
      },
      addGateway(env = {}) {
        let index = 2;
        while (services.has(`gateway-${index}`)) index += 1;
        return launchGateway('0', (name) => services.get(name)?.url, `gateway-${index}`, env);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The gateway's `POST /cache/invalidate`, for subgraphs started without Redis
 * (with it, purges go over Redis); undefined when `CACHE_PURGE_URL` is set already.
 */
export function purgeUrlFor(env: Record<string, string | undefined>, host: string, gatewayPort: string): string | undefined {
  if ((env['REDIS_URL'] ?? '') !== '' || (env['CACHE_PURGE_URL'] ?? '') !== '') return undefined;
  return `http://${host.includes(':') ? `[${host}]` : host}:${gatewayPort}/cache/invalidate`;
}

/** A port nothing listens on now, for a service started right after. */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

function portFor(entry: SubgraphEntry, env: Record<string, string | undefined>): number {
  const variable = `${entry.name.toUpperCase()}_PORT`;
  const raw = env[variable];
  if (raw === undefined || raw === '') return entry.port;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${variable} must be a port number from 0 to 65535; got "${raw}"`);
  return port;
}

/** Resolves with the URLs a service prints once it listens; rejects when it exits first or takes longer than `timeoutMs`. */
export function waitForListening(
  name: string,
  child: ChildProcess,
  log: (line: string) => void,
  timeoutMs: number,
): Promise<{ url: string; metricsUrl: string | undefined }> {
  return new Promise((resolve, reject) => {
    const output: string[] = [];
    let metricsUrl: string | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${output.join('\n')}`));
    }, timeoutMs);
    const onLine = (line: string): void => {
      output.push(line);
      log(line.startsWith('[') ? line : `[${name}] ${line}`);
      metricsUrl ??= /serving metrics at (\S+)/.exec(line)?.[1];
      const match = /listening on (\S+)/.exec(line);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve({ url: match[1], metricsUrl });
      }
    };
    forEachLine(child.stdout, onLine);
    forEachLine(child.stderr, onLine);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${signal ?? `code ${String(code)}`}) before it was ready:\n${output.join('\n')}`));
    });
  });
}
