import type { ApolloGateway, GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayContext } from '../context.js';

/** What @apollo/gateway runs an operation with, and what it is given and returns; the package names none of them. */
export type Execute = Awaited<ReturnType<ApolloGateway['load']>>['executor'];
export type GatewayRequestContext = Parameters<Execute>[0];
export type GatewayExecutionResult = Awaited<ReturnType<Execute>>;

/** The part of Apollo's per-request cache policy the gateway reads and narrows. */
export interface CachePolicy {
  restrict(hint: { maxAge?: number; scope?: 'PUBLIC' | 'PRIVATE' }): void;
  policyIfCacheable(): { maxAge: number; scope: 'PUBLIC' | 'PRIVATE' } | null;
}

/** What a subgraph's data source is asked by a query plan (or by the gateway itself, for a health check), and what it answers. */
export type SubgraphRequest = GraphQLDataSourceProcessOptions<GatewayContext>;
export type SubgraphResponse = Awaited<ReturnType<GraphQLDataSource<GatewayContext>['process']>>;
