import { readFileSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import { readSecurityRequirements } from '../../gateway/src/authorization/securityRequirements.js';
import { readGatewayConfig } from '../../gateway/src/config.js';
import { GATEWAY_ISSUER, GATEWAY_TOKEN_HEADER, GatewayTokenSigner } from '../../lib/gatewayToken.js';
import { HIVE_ROUTER_RUNTIME_VERSION, hiveGatewayModuleUrl, hiveModuleUrl, JIT_PLUGIN_PACKAGE, ROUTER_RUNTIME_PACKAGE } from '../installHiveGateway.js';
import { serveUntilStopped } from '../serveUntilStopped.js';
import { GATEWAY_TOKEN_SWITCH, readSwitch } from './switches.js';

// Hive Gateway with its default options, over the same supergraph stock gets, changed only
// where it would otherwise not work here at all (the shop's subgraphs refuse calls without a
// gateway token), or where the switches below ask for the public benchmark's configuration.

/** The part of @graphql-hive/gateway's config this target uses; the package is installed outside package.json, without its types. */
interface HiveGatewayConfig {
  supergraph: string;
  transportEntries: Record<string, { location?: string; headers?: [string, string][]; options?: { deduplicateInflightRequests?: boolean } }>;
  inboundInflightRequestDeduplication?: boolean;
  unifiedGraphHandler?: unknown;
  plugins?: () => unknown[];
}

interface HiveGatewayModule {
  createGatewayRuntime(config: HiveGatewayConfig): RequestListener & { dispose(): Promise<void> | void };
}

const config = readGatewayConfig();
const { gatewaySupergraphSdl } = readSecurityRequirements(readFileSync(config.supergraphPath, 'utf8'));

const hive = (await import(hiveGatewayModuleUrl())) as HiveGatewayModule;
const transportEntries: HiveGatewayConfig['transportEntries'] = { '*': {} };
if (readSwitch(GATEWAY_TOKEN_SWITCH, true)) {
  // One token for the whole run, sent as a static header: the cheapest way Hive Gateway offers,
  // and stock's signer also hands out one cached token per caller.
  transportEntries['*']!.headers = [[GATEWAY_TOKEN_HEADER, await new GatewayTokenSigner(config.gatewaySigningKey, GATEWAY_ISSUER, 24 * 60 * 60).sign(null)]];
}
// On by default in its HTTP executor: identical subgraph queries in flight share one call.
if (!readSwitch('HIVE_UPSTREAM_DEDUPLICATION', true)) transportEntries['*']!.options = { deduplicateInflightRequests: false };
for (const [name, location] of Object.entries(config.subgraphUrls)) transportEntries[name] = { location };

const gatewayConfig: HiveGatewayConfig = {
  supergraph: gatewaySupergraphSdl,
  transportEntries,
  // Off by default: identical client requests in flight share one execution.
  inboundInflightRequestDeduplication: readSwitch('HIVE_INBOUND_DEDUPLICATION', false),
};
if (readSwitch('HIVE_ROUTER_RUNTIME', false)) {
  const { unifiedGraphHandler } = (await import(hiveModuleUrl(ROUTER_RUNTIME_PACKAGE, HIVE_ROUTER_RUNTIME_VERSION))) as { unifiedGraphHandler: unknown };
  gatewayConfig.unifiedGraphHandler = unifiedGraphHandler;
}
if (readSwitch('HIVE_JIT', false)) {
  // What the CLI's --jit adds.
  const { useJIT } = (await import(hiveModuleUrl(JIT_PLUGIN_PACKAGE))) as { useJIT: () => unknown };
  gatewayConfig.plugins = () => [useJIT()];
}
const gateway = hive.createGatewayRuntime(gatewayConfig);

const server = createServer(gateway);
server.keepAliveTimeout = 65_000;
serveUntilStopped(server, { name: 'hive', port: config.port, host: config.host, path: '/graphql', dispose: () => gateway.dispose() });
