import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { readSecurityRequirements } from '../../gateway/src/authorization/securityRequirements.js';
import { readGatewayConfig } from '../../gateway/src/config.js';
import { GATEWAY_ISSUER, GATEWAY_TOKEN_HEADER, GatewayTokenSigner } from '../../lib/gatewayToken.js';
import { GATEWAY_TOKEN_SWITCH, readSwitch } from './switches.js';

// The baseline: @apollo/gateway as it comes, changed only where it would otherwise not work
// here at all (it refuses the SECURITY links; the subgraphs refuse calls without a gateway token).
const config = readGatewayConfig();
const signer = new GatewayTokenSigner(config.gatewaySigningKey, GATEWAY_ISSUER);

class GatewayTokenDataSource extends RemoteGraphQLDataSource {
  override async willSendRequest({ request }: GraphQLDataSourceProcessOptions): Promise<void> {
    request.http?.headers.set(GATEWAY_TOKEN_HEADER, await signer.sign(null));
  }
}

function missingUrl(name: string): never {
  throw new Error(`subgraph ${name} has no routing URL; set SUBGRAPH_${name.toUpperCase()}_URL`);
}

const { gatewaySupergraphSdl } = readSecurityRequirements(readFileSync(config.supergraphPath, 'utf8'));
const DataSource = readSwitch(GATEWAY_TOKEN_SWITCH, true) ? GatewayTokenDataSource : RemoteGraphQLDataSource;
const server = new ApolloServer({
  gateway: new ApolloGateway({
    supergraphSdl: gatewaySupergraphSdl,
    buildService: ({ name, url }) => new DataSource({ url: config.subgraphUrls[name] ?? url ?? missingUrl(name) }),
  }),
});
const { url } = await startStandaloneServer(server, { listen: { port: config.port, host: config.host } });
console.log(`[stock] listening on ${url}`);
// Started by the bench: stop when it goes away, however it ended.
if (process.send !== undefined) process.on('disconnect', () => void server.stop().finally(() => process.exit(0)));
