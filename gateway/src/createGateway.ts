import { readFileSync } from 'node:fs';
import { ApolloGateway, type GatewayConfig as ApolloGatewayConfig, type GraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import type { DocumentNode } from 'graphql';
import { GATEWAY_ISSUER, GatewayTokenSigner } from '../../lib/gatewayToken.js';
import type { Logger } from '../../lib/logger.js';
import { subgraphUrlOverride, type GatewayConfig } from './config.js';
import { subgraphUrlVariable } from './configFile/settingNames.js';
import type { GatewayContext } from './context.js';
import { BoundedMemoryCache } from './cache/BoundedMemoryCache.js';
import { createPersistedQueries } from './cache/createCaches.js';
import type { RedisClient } from './redis/RedisConnection.js';
import { FastQueryPlanExecutor } from './execution/queryPlans/FastQueryPlanExecutor.js';
import { stringifyResult } from './execution/stringifyResult.js';
import { createFormatError } from './formatError.js';
import { useOperationGuards } from './guards/useOperationGuards.js';
import { landingPagePlugin } from './landingPage.js';
import type { GatewayMetrics } from './observability/GatewayMetrics.js';
import { observeSubgraphs } from './observability/observeSubgraphs.js';
import type { RequestObserver } from './observability/RequestObserver.js';
import { useRequestObserver } from './observability/useRequestObserver.js';
import type { EdgePipeline } from './plugins/EdgePipeline.js';
import { readSupergraph } from './supergraph/readSupergraph.js';
import { watchSupergraphFile } from './supergraph/watchSupergraphFile.js';
import { SubgraphCalls } from './resilience/SubgraphCalls.js';
import { useSubgraphCalls } from './resilience/useSubgraphCalls.js';
import { SubgraphDataSource } from './SubgraphDataSource.js';
import { SupergateGateway } from './SupergateGateway.js';

/** What the query planner caches; `@apollo/gateway` does not export the type by name. */
type QueryPlan = Parameters<NonNullable<NonNullable<ApolloGatewayConfig['queryPlannerConfig']>['cache']>['set']>[1];

export interface Gateway {
  readonly server: ApolloServer<GatewayContext>;
  /** The ApolloGateway that plans and fetches; Apollo Server runs it through the edge pipeline. */
  readonly gateway: ApolloGateway;
  /** Each subgraph's routing URL by name, filled in when the supergraph loads. */
  readonly subgraphUrls: ReadonlyMap<string, string>;
  /** Apollo's parsed-document and query-plan caches, each bounded in bytes. */
  readonly documents: BoundedMemoryCache<DocumentNode>;
  readonly queryPlans: BoundedMemoryCache<QueryPlan>;
  /** Plans and completes subscriptions (and runs queries and mutations too when `QUERY_PLAN_EXECUTOR` is `fast`). */
  readonly executor: FastQueryPlanExecutor;
  /** Signs the caller's identity for subgraphs. */
  readonly signer: GatewayTokenSigner;
  /** The URL the gateway calls a subgraph at (its routing URL, or `SUBGRAPH_<NAME>_URL`); undefined before the supergraph names it. */
  readonly subgraphUrl: (name: string) => string | undefined;
  /** Formats errors as every answer's are. */
  readonly formatError: ReturnType<typeof createFormatError>;
}

/** Where the gateway reports what it does. */
export interface GatewayObservability {
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  readonly observer: RequestObserver;
  /** Told every failure of the persisted-query store. */
  readonly cacheStoreFailed: (error: unknown) => void;
}

/**
 * Builds the federated gateway from the supergraph file at `supergraphPath`,
 * every operation going through `pipeline`; call `server.start()` before serving.
 */
export function createGateway(
  config: GatewayConfig,
  pipeline: EdgePipeline,
  observability: GatewayObservability,
  redis: RedisClient | undefined,
  supergraphPath = config.supergraphPath,
): Gateway {
  const { logger, metrics, observer } = observability;
  const subgraphUrls = new Map<string, string>();
  const signer = new GatewayTokenSigner(config.gatewaySigningKey, GATEWAY_ISSUER);
  const subgraphCalls = new SubgraphCalls(config.subgraphCalls, {
    onCircuitChange: (subgraph, state) => logger.warn({ subgraph, state }, `circuit to ${subgraph} ${state}`),
  });
  const supergraphSdl = readFileSync(supergraphPath, 'utf8');
  const supergraph = readSupergraph(supergraphSdl);
  pipeline.useSupergraph({ ...supergraph, sdl: supergraphSdl });
  const persistedQueries = createPersistedQueries(
    redis,
    { maxEntries: config.cacheMaxEntries, maxBytes: config.cacheMaxBytes },
    observability.cacheStoreFailed,
  );
  const documents = new BoundedMemoryCache<DocumentNode>(config.documentCacheMaxBytes);
  const queryPlans = new BoundedMemoryCache<QueryPlan>(config.queryPlanCacheMaxBytes);
  // The data source @apollo/gateway uses for each subgraph is the last one it built for that name.
  const dataSources = new Map<string, GraphQLDataSource<GatewayContext>>();
  const calledUrls = new Map<string, string>();
  const buildService = observeSubgraphs(
    ({ name, url }) => {
      const calledUrl = subgraphUrlOverride(config, name) ?? url ?? missingUrl(name);
      calledUrls.set(name, calledUrl);
      return new SubgraphDataSource(name, calledUrl, signer, subgraphCalls.forService(name), () => metrics.subgraphSharedFetch(name));
    },
    metrics,
    subgraphUrls,
  );
  const gateway = new ApolloGateway({
    queryPlannerConfig: { cache: queryPlans },
    // Served from the file, and replaced without a restart whenever a valid new one is written there.
    supergraphSdl: async ({ update }) => {
      const watcher = watchSupergraphFile(
        supergraphPath,
        supergraphSdl,
        (sdl) => {
          try {
            const next = readSupergraph(sdl);
            update(next.security.gatewaySupergraphSdl);
            pipeline.useSupergraph({ ...next, sdl });
            metrics.supergraphReload('success');
            logger.info(`loaded the new supergraph from ${supergraphPath}`);
          } catch (error) {
            metrics.supergraphReload('failure');
            logger.error(
              `refused the new supergraph in ${supergraphPath}, still serving the previous one: ${error instanceof Error ? error.message : String(error)}`,
            );
          }
        },
        (error) => logger.warn({ error }, `cannot watch ${supergraphPath} for changes`),
      );
      return { supergraphSdl: supergraph.security.gatewaySupergraphSdl, cleanup: async () => watcher.close() };
    },
    buildService: (definition) => {
      const dataSource = buildService(definition);
      dataSources.set(definition.name, dataSource);
      return dataSource;
    },
  });
  const executor = new FastQueryPlanExecutor({ queryPlans, dataSources, onFallback: (reason) => metrics.executorFallback(reason) });
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => executor.useSupergraph(coreSupergraphSdl));
  const fast = config.queryPlanExecutor === 'fast' ? executor : undefined;
  const formatError = createFormatError(config.production, (error) => logger.error({ error }, 'masked error'), config.queryLimits.depth);
  // Plans run on the fast executor (stock's for what it does not run), inside the edge pipeline.
  const wrapped = new SupergateGateway(gateway, (stock) => pipeline.executor(fast === undefined ? stock : fast.executor(stock)));
  const server = new ApolloServer<GatewayContext>({
    gateway: wrapped,
    introspection: !config.production,
    // Counted while parsing, so a huge document is refused before it is ever built.
    parseOptions: { maxLexicalTokens: config.queryLimits.tokens },
    csrfPrevention: true,
    // Registered on one replica, found on all: the store is the shared Redis.
    persistedQueries: { cache: persistedQueries, ttl: 24 * 60 * 60 },
    // The process owns signal handling and stops the HTTP server first; Apollo's own handlers would race it.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: !config.production,
    // "Did you mean …?" would spell out the schema that production's closed introspection hides.
    hideSchemaDetailsFromClientErrors: config.production,
    documentStore: documents,
    // Requests sharing one execution share one serialised data part too.
    stringifyResult,
    formatError,
    plugins: [
      useOperationGuards(),
      useRequestObserver({ observer }),
      useSubgraphCalls({ calls: subgraphCalls }),
      landingPagePlugin(config.production),
      ...optional(pipeline.apolloPlugin()),
    ],
  });
  return { server, gateway, subgraphUrls, documents, queryPlans, executor, signer, subgraphUrl: (name) => calledUrls.get(name), formatError };
}

function optional<T>(value: T | undefined): T[] {
  return value === undefined ? [] : [value];
}

function missingUrl(name: string): never {
  throw new Error(`subgraph ${name} has no routing URL; set ${subgraphUrlVariable(name)}`);
}
