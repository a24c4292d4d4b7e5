import { readFileSync } from 'node:fs';
import type { ApolloGateway, GatewayConfig as ApolloGatewayConfig, GraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import type { DocumentNode } from 'graphql';
import { GATEWAY_ISSUER, GatewayTokenSigner } from '../../lib/gatewayToken.js';
import type { Logger } from '../../lib/logger.js';
import { subgraphUrlOverride, type GatewayConfig } from './config.js';
import { subgraphUrlVariable } from './configFile/settingNames.js';
import type { GatewayContext } from './context.js';
import { BoundedMemoryCache } from './cache/BoundedMemoryCache.js';
import { createCaches, type GatewayCaches } from './cache/createCaches.js';
import type { RedisClient } from './redis/RedisConnection.js';
import { EdgeGateway } from './EdgeGateway.js';
import { FastQueryPlanExecutor } from './execution/queryPlans/FastQueryPlanExecutor.js';
import { SharedOperations } from './execution/SharedOperations.js';
import { stringifyResult } from './execution/stringifyResult.js';
import { createFormatError } from './formatError.js';
import { useOperationGuards } from './guards/useOperationGuards.js';
import { landingPagePlugin } from './landingPage.js';
import type { GatewayMetrics } from './observability/GatewayMetrics.js';
import { observeSubgraphs } from './observability/observeSubgraphs.js';
import type { RequestObserver } from './observability/RequestObserver.js';
import { useRequestObserver } from './observability/useRequestObserver.js';
import type { EdgeRateLimiter } from './rateLimits/EdgeRateLimiter.js';
import { readSupergraph } from './supergraph/readSupergraph.js';
import { watchSupergraphFile } from './supergraph/watchSupergraphFile.js';
import { SubgraphCalls } from './resilience/SubgraphCalls.js';
import { useSubgraphCalls } from './resilience/useSubgraphCalls.js';
import { SubgraphDataSource } from './SubgraphDataSource.js';

/** What the query planner caches; `@apollo/gateway` does not export the type by name. */
type QueryPlan = Parameters<NonNullable<NonNullable<ApolloGatewayConfig['queryPlannerConfig']>['cache']>['set']>[1];

export interface Gateway {
  readonly server: ApolloServer<GatewayContext>;
  readonly gateway: ApolloGateway;
  /** Each subgraph's routing URL by name, filled in when the supergraph loads. */
  readonly subgraphUrls: ReadonlyMap<string, string>;
  readonly caches: GatewayCaches;
  /** Apollo's parsed-document and query-plan caches, each bounded in bytes. */
  readonly documents: BoundedMemoryCache<DocumentNode>;
  readonly queryPlans: BoundedMemoryCache<QueryPlan>;
}

/** Where the gateway reports what it does. */
export interface GatewayObservability {
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  readonly observer: RequestObserver;
}

/** Builds the federated gateway from the supergraph file; call `server.start()` before serving. */
export function createGateway(config: GatewayConfig, rateLimiter: EdgeRateLimiter, observability: GatewayObservability, redis: RedisClient | undefined): Gateway {
  const { logger, metrics, observer } = observability;
  const subgraphUrls = new Map<string, string>();
  const signer = new GatewayTokenSigner(config.gatewaySigningKey, GATEWAY_ISSUER);
  const subgraphCalls = new SubgraphCalls(config.subgraphCalls, {
    onCircuitChange: (subgraph, state) => logger.warn({ subgraph, state }, `circuit to ${subgraph} ${state}`),
  });
  const supergraphSdl = readFileSync(config.supergraphPath, 'utf8');
  const supergraph = readSupergraph(supergraphSdl);
  const caches = createCaches(config, supergraph.entityKeys, redis, {
    // Counted every time; logged at most every 10 s, so an outage does not flood the log (the Redis connection logs outages once).
    onError: (() => {
      let lastLoggedAt = Number.NEGATIVE_INFINITY;
      return (error: unknown) => {
        metrics.cacheStoreError();
        if (Date.now() - lastLoggedAt < 10_000) return;
        lastLoggedAt = Date.now();
        logger.warn({ err: error }, 'cache store failed; answering without it');
      };
    })(),
    onLookup: (outcome) => metrics.cacheLookup(outcome),
    onPurge: (entries) => metrics.cacheInvalidation(entries),
  });
  const documents = new BoundedMemoryCache<DocumentNode>(config.documentCacheMaxBytes);
  const queryPlans = new BoundedMemoryCache<QueryPlan>(config.queryPlanCacheMaxBytes);
  // The data source @apollo/gateway uses for each subgraph is the last one it built for that name.
  const dataSources = new Map<string, GraphQLDataSource<GatewayContext>>();
  const buildService = observeSubgraphs(({ name, url }) => new SubgraphDataSource(name, subgraphUrlOverride(config, name) ?? url ?? missingUrl(name), signer, subgraphCalls.forService(name), () => metrics.subgraphSharedFetch(name)), metrics, subgraphUrls);
  const gateway = new EdgeGateway(
    {
      queryPlannerConfig: { cache: queryPlans },
      // Served from the file, and replaced without a restart whenever a valid new one is written there.
      supergraphSdl: async ({ update }) => {
        const watcher = watchSupergraphFile(
          config.supergraphPath,
          supergraphSdl,
          (sdl) => {
            try {
              const next = readSupergraph(sdl);
              update(next.security.gatewaySupergraphSdl);
              gateway.useSupergraph(next);
              caches.responses?.tagger.useKeys(next.entityKeys);
              metrics.supergraphReload('success');
              logger.info(`loaded the new supergraph from ${config.supergraphPath}`);
            } catch (error) {
              metrics.supergraphReload('failure');
              logger.error(`refused the new supergraph in ${config.supergraphPath}, still serving the previous one: ${error instanceof Error ? error.message : String(error)}`);
            }
          },
          (error) => logger.warn({ error }, `cannot watch ${config.supergraphPath} for changes`),
        );
        return { supergraphSdl: supergraph.security.gatewaySupergraphSdl, cleanup: async () => watcher.close() };
      },
      buildService: (definition) => {
        const dataSource = buildService(definition);
        dataSources.set(definition.name, dataSource);
        return dataSource;
      },
    },
    {
      queryLimits: config.queryLimits,
      security: supergraph.security,
      fieldRateLimits: supergraph.fieldRateLimits,
      costDirectives: supergraph.costDirectives,
      rateLimiter,
      caching: caches.responses,
      sharedOperations: config.deduplicateOperations ? new SharedOperations(() => metrics.sharedOperation()) : undefined,
      metrics,
    },
  );
  if (config.queryPlanExecutor === 'fast') {
    const executor = new FastQueryPlanExecutor({ queryPlans, dataSources, onFallback: (reason) => metrics.executorFallback(reason) });
    gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => executor.useSupergraph(coreSupergraphSdl));
    // Apollo's load() hands out this field as the executor, so replacing it before load keeps Apollo's planning and the edge checks around it.
    gateway.executor = executor.executor(gateway.executor);
  }
  const server = new ApolloServer<GatewayContext>({
    gateway,
    introspection: !config.production,
    // Counted while parsing, so a huge document is refused before it is ever built.
    parseOptions: { maxTokens: config.queryLimits.tokens },
    csrfPrevention: true,
    // Registered on one replica, found on all: the store is the shared Redis.
    persistedQueries: { cache: caches.persistedQueries, ttl: 24 * 60 * 60 },
    // The process owns signal handling and stops the HTTP server first; Apollo's own handlers would race it.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: !config.production,
    // "Did you mean …?" would spell out the schema that production's closed introspection hides.
    hideSchemaDetailsFromClientErrors: config.production,
    documentStore: documents,
    // Requests sharing one execution share one serialised data part too.
    stringifyResult,
    formatError: createFormatError(config.production, (error) => logger.error({ error }, 'masked error'), config.queryLimits.depth),
    plugins: [useOperationGuards(), useRequestObserver({ observer }), useSubgraphCalls({ calls: subgraphCalls }), landingPagePlugin(config.production)],
  });
  return { server, gateway, subgraphUrls, caches, documents, queryPlans };
}

function missingUrl(name: string): never {
  throw new Error(`subgraph ${name} has no routing URL; set ${subgraphUrlVariable(name)}`);
}
