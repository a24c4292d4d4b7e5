import { readFileSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import { readSecurityRequirements } from '../../gateway/src/authorization/securityRequirements.js';
import { readGatewayConfig } from '../../gateway/src/config.js';
import { GATEWAY_TOKEN_HEADER, GatewayTokenSigner } from '../../lib/gatewayToken.js';
import { hiveGatewayModuleUrl } from '../installHiveGateway.js';
import { serveUntilStopped } from '../serveUntilStopped.js';

// Hive Gateway with its default options, over the same supergraph stock gets, changed only
// where it would otherwise not work here at all (the subgraphs refuse calls without a gateway token).

/** The part of @graphql-hive/gateway this target uses; the package is installed outside package.json, without its types. */
interface HiveGatewayModule {
  createGatewayRuntime(config: {
    supergraph: string;
    transportEntries: Record<string, { location?: string; headers?: [string, string][] }>;
  }): RequestListener & { dispose(): Promise<void> | void };
}

const config = readGatewayConfig();
// One token for the whole run, sent as a static header: the cheapest way Hive Gateway offers,
// and stock's signer also hands out one cached token per caller.
const token = new GatewayTokenSigner(config.gatewaySecret, 'gateway', 24 * 60 * 60).sign(null);
const { gatewaySupergraphSdl } = readSecurityRequirements(readFileSync(config.supergraphPath, 'utf8'));

const hive = (await import(hiveGatewayModuleUrl())) as HiveGatewayModule;
const transportEntries: Record<string, { location?: string; headers?: [string, string][] }> = { '*': { headers: [[GATEWAY_TOKEN_HEADER, token]] } };
for (const [name, location] of Object.entries(config.subgraphUrls)) transportEntries[name] = { location };
const gateway = hive.createGatewayRuntime({ supergraph: gatewaySupergraphSdl, transportEntries });

const server = createServer(gateway);
server.keepAliveTimeout = 65_000;
serveUntilStopped(server, { name: 'hive', port: config.port, host: config.host, path: '/graphql', dispose: () => gateway.dispose() });
