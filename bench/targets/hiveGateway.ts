import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type RequestListener } from 'node:http';
import type { ServerOptions } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { readSecurityRequirements } from '../../gateway/src/authorization/securityRequirements.js';
import { readGatewayConfig } from '../../gateway/src/config.js';
import { GATEWAY_ISSUER, GATEWAY_TOKEN_HEADER, GatewayTokenSigner } from '../../lib/gatewayToken.js';
import { HIVE_ROUTER_RUNTIME_VERSION, hiveGatewayModuleUrl, hiveModuleUrl, JIT_PLUGIN_PACKAGE, ROUTER_RUNTIME_PACKAGE } from '../installHiveGateway.js';
import { serveUntilStopped } from '../serveUntilStopped.js';
import { GATEWAY_TOKEN_SWITCH, HIVE_SUBSCRIPTIONS_SWITCH, readSwitch } from './switches.js';

// Hive Gateway with its default options, over the same supergraph stock gets, changed only
// where it would otherwise not work here at all (the shop's subgraphs refuse calls without a
// gateway token), or where the switches below ask for the public benchmark's configuration.

/** How Hive Gateway reaches a subgraph; `subscriptions` names the transport subscriptions take instead of HTTP. */
interface TransportEntry {
  location?: string;
  headers?: [string, string][];
  options?: {
    deduplicateInflightRequests?: boolean;
    subscriptions?: { kind: 'ws'; location: string; options: { connectionParams: Record<string, string> } };
  };
}

/** The part of a subgraph call a plugin may rewrite; `extensions` travel in the graphql-ws `subscribe` payload. */
interface SubgraphExecutionRequest {
  operationType?: string;
  extensions?: Record<string, unknown>;
}

interface HivePlugin {
  onSubgraphExecute?: (payload: { executionRequest: SubgraphExecutionRequest; setExecutionRequest: (request: SubgraphExecutionRequest) => void }) => void;
}

/** The part of @graphql-hive/gateway's config this target uses; the package is installed outside package.json, without its types. */
interface HiveGatewayConfig {
  supergraph: string;
  transportEntries: Record<string, TransportEntry>;
  inboundInflightRequestDeduplication?: boolean;
  unifiedGraphHandler?: unknown;
  plugins?: () => unknown[];
}

interface HiveGatewayRuntime extends RequestListener {
  dispose(): Promise<void> | void;
  readonly graphqlEndpoint: string;
  readonly fetchAPI: unknown;
}

interface HiveGatewayModule {
  createGatewayRuntime(config: HiveGatewayConfig): HiveGatewayRuntime;
  /** What Hive Gateway's CLI hands graphql-ws's `useServer` to serve subscriptions over WebSocket. */
  getGraphQLWSOptions(
    gateway: HiveGatewayRuntime,
    onContext: (ctx: { extra: { request: IncomingMessage; socket: WebSocket } }) => Record<string, unknown>,
  ): ServerOptions<Record<string, unknown> | undefined, { request: IncomingMessage; socket: WebSocket }>;
}

interface WhatwgNodeServerModule {
  normalizeNodeRequest: (request: IncomingMessage, fetchAPI: unknown) => unknown;
}

const config = readGatewayConfig();
const { gatewaySupergraphSdl } = readSecurityRequirements(readFileSync(config.supergraphPath, 'utf8'));

const hive = (await import(hiveGatewayModuleUrl())) as HiveGatewayModule;
const wildcard: TransportEntry = {};
const transportEntries: HiveGatewayConfig['transportEntries'] = { '*': wildcard };
// One token for the whole run: the cheapest way Hive Gateway offers, and stock's signer also hands out one cached token per caller.
const gatewayToken = readSwitch(GATEWAY_TOKEN_SWITCH, true)
  ? await new GatewayTokenSigner(config.gatewaySigningKey, GATEWAY_ISSUER, 24 * 60 * 60).sign(null)
  : undefined;
// Sent as a static header on every HTTP call.
if (gatewayToken !== undefined) wildcard.headers = [[GATEWAY_TOKEN_HEADER, gatewayToken]];
// On by default in its HTTP executor: identical subgraph queries in flight share one call.
if (!readSwitch('HIVE_UPSTREAM_DEDUPLICATION', true)) wildcard.options = { deduplicateInflightRequests: false };
const subscriptions = readSwitch(HIVE_SUBSCRIPTIONS_SWITCH, false);
/** What makes each Hive Gateway plugin, in order. */
const plugins: (() => unknown)[] = [];
if (subscriptions) {
  // Subscriptions over graphql-ws at each subgraph's /graphql, as its README documents. The subgraphs want
  // a gateway token in connection_init and the caller's identity in each subscribe's extensions: the same
  // static token, given once as connection parameters and added to every subscription's extensions.
  const token = gatewayToken ?? '';
  wildcard.options = {
    ...wildcard.options,
    subscriptions: { kind: 'ws', location: '/graphql', options: { connectionParams: { [GATEWAY_TOKEN_HEADER]: token } } },
  };
  const identityInExtensions: HivePlugin = {
    onSubgraphExecute: ({ executionRequest, setExecutionRequest }) => {
      if (executionRequest.operationType !== 'subscription') return;
      setExecutionRequest({ ...executionRequest, extensions: { ...executionRequest.extensions, [GATEWAY_TOKEN_HEADER]: token } });
    },
  };
  plugins.push(() => identityInExtensions);
}
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
  plugins.push(() => useJIT());
}
if (plugins.length > 0) gatewayConfig.plugins = () => plugins.map((make) => make());
const gateway = hive.createGatewayRuntime(gatewayConfig);

const server = createServer(gateway);
server.keepAliveTimeout = 65_000;
if (subscriptions) {
  // What Hive Gateway's CLI does on node:http unless --disable-websockets: graphql-ws at the GraphQL endpoint.
  // graphql-ws and ws are this project's copies, the same versions the pinned Hive Gateway installs.
  const { normalizeNodeRequest } = (await import(hiveModuleUrl('@whatwg-node/server'))) as WhatwgNodeServerModule;
  const sockets = new WebSocketServer({ path: gateway.graphqlEndpoint, server });
  useServer(
    hive.getGraphQLWSOptions(gateway, (ctx) => ({
      req: ctx.extra.request,
      socket: ctx.extra.socket,
      request: normalizeNodeRequest(ctx.extra.request, gateway.fetchAPI),
    })),
    sockets,
  );
}
serveUntilStopped(server, { name: 'hive', port: config.port, host: config.host, path: '/graphql', dispose: () => gateway.dispose() });
