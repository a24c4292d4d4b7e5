import { readFileSync } from 'node:fs';
import type { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { GatewayTokenSigner } from '../../lib/gatewayToken.js';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import { readSecurityRequirements } from './authorization/securityRequirements.js';
import { EdgeGateway } from './EdgeGateway.js';
import { createFormatError } from './formatError.js';
import type { EdgeRateLimiter } from './rateLimits/EdgeRateLimiter.js';
import { readFieldRateLimits } from './rateLimits/fieldRateLimits.js';
import { SubgraphDataSource } from './SubgraphDataSource.js';

export interface Gateway {
  readonly server: ApolloServer<GatewayContext>;
  readonly gateway: ApolloGateway;
}

/** Builds the federated gateway from the supergraph file; call `server.start()` before serving. */
export function createGateway(config: GatewayConfig, rateLimiter: EdgeRateLimiter): Gateway {
  const signer = new GatewayTokenSigner(config.gatewaySecret, 'gateway');
  const supergraphSdl = readFileSync(config.supergraphPath, 'utf8');
  // @apollo/gateway refuses supergraphs that link @authenticated/@requiresScopes; the gateway enforces them itself.
  const security = readSecurityRequirements(supergraphSdl);
  const gateway = new EdgeGateway(
    {
      supergraphSdl: security.gatewaySupergraphSdl,
      buildService: ({ name, url }) => new SubgraphDataSource(name, config.subgraphUrls[name] ?? url ?? missingUrl(name), signer),
    },
    { queryLimits: config.queryLimits, security, fieldRateLimits: readFieldRateLimits(supergraphSdl), rateLimiter },
  );
  const server = new ApolloServer<GatewayContext>({
    gateway,
    introspection: !config.production,
    csrfPrevention: true,
    // The process owns signal handling and stops the HTTP server first; Apollo's own handlers would race it.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: !config.production,
    formatError: createFormatError(config.production, (error) => console.error('masked error', JSON.stringify(error))),
    plugins: config.production ? [ApolloServerPluginLandingPageDisabled()] : [],
  });
  return { server, gateway };
}

function missingUrl(name: string): never {
  throw new Error(`subgraph ${name} has no routing URL; set SUBGRAPH_${name.toUpperCase()}_URL`);
}
