import { performance } from 'node:perf_hooks';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions, ServiceEndpointDefinition } from '@apollo/gateway';
import type { GatewayContext } from '../context.js';
import type { GatewayMetrics } from './GatewayMetrics.js';

type BuildService = (definition: ServiceEndpointDefinition) => GraphQLDataSource<GatewayContext>;

/**
 * Wraps the gateway's `buildService` so every fetch of a query plan is timed
 * and counted by subgraph, whatever the data source does inside (retries
 * included), and records each subgraph's routing URL in `routingUrls`.
 */
export function observeSubgraphs(build: BuildService, metrics: GatewayMetrics, routingUrls: Map<string, string>): BuildService {
  return (definition) => {
    const dataSource = build(definition);
    const url = 'url' in dataSource && typeof dataSource.url === 'string' ? dataSource.url : definition.url;
    if (url !== undefined) routingUrls.set(definition.name, url);
    return new ObservedDataSource(definition.name, dataSource, metrics);
  };
}

class ObservedDataSource implements GraphQLDataSource<GatewayContext> {
  constructor(
    private readonly name: string,
    private readonly inner: GraphQLDataSource<GatewayContext>,
    private readonly metrics: GatewayMetrics,
  ) {}

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): ReturnType<GraphQLDataSource<GatewayContext>['process']> {
    // Only fetches of a client's operation count; health checks and schema loads are not traffic.
    if (!('incomingRequestContext' in options)) return this.inner.process(options);
    const startedAt = performance.now();
    let ok = false;
    try {
      const response = await this.inner.process(options);
      ok = response.errors === undefined || response.errors.length === 0;
      return response;
    } finally {
      this.metrics.subgraphFetch(this.name, (performance.now() - startedAt) / 1000, ok);
    }
  }
}
