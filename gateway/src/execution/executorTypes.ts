import type { ApolloGateway } from '@apollo/gateway';

/** What @apollo/gateway runs an operation with, and what it is given and returns; the package names none of them. */
export type Execute = Awaited<ReturnType<ApolloGateway['load']>>['executor'];
export type GatewayRequestContext = Parameters<Execute>[0];
export type GatewayExecutionResult = Awaited<ReturnType<Execute>>;

/** The part of Apollo's per-request cache policy the gateway reads and narrows. */
export interface CachePolicy {
  restrict(hint: { maxAge?: number; scope?: 'PUBLIC' | 'PRIVATE' }): void;
  policyIfCacheable(): { maxAge: number; scope: 'PUBLIC' | 'PRIVATE' } | null;
}
