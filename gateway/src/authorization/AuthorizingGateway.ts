import { createHash } from 'node:crypto';
import { ApolloGateway, type GatewayConfig as ApolloGatewayConfig } from '@apollo/gateway';
import { print } from 'graphql';
import type { GatewayContext } from '../context.js';
import { authorizeOperation } from './authorizeOperation.js';
import type { SecurityRequirements } from './securityRequirements.js';

type LoadResult = Awaited<ReturnType<ApolloGateway['load']>>;
type Executor = LoadResult['executor'];

/**
 * An ApolloGateway that enforces the supergraph's @authenticated and
 * @requiresScopes before planning: fields the caller may not read are removed
 * from the operation (so no subgraph is asked for them), each gets an error at
 * its path, and the rest executes.
 */
export class AuthorizingGateway extends ApolloGateway {
  constructor(
    config: ApolloGatewayConfig,
    private readonly requirements: SecurityRequirements,
  ) {
    super(config);
  }

  override async load(options?: Parameters<ApolloGateway['load']>[0]): Promise<LoadResult> {
    const loaded = await super.load(options);
    return { ...loaded, executor: this.authorizing(loaded.executor) };
  }

  private authorizing(execute: Executor): Executor {
    return async (requestContext) => {
      const viewer = (requestContext.context as Partial<GatewayContext>).viewer ?? null;
      const { document, errors } = authorizeOperation(requestContext.schema, requestContext.document, requestContext.operationName, viewer, this.requirements);
      if (errors.length === 0) return execute(requestContext);
      if (document === null) return { data: null, errors };
      // The plan cache is keyed by queryHash, so the filtered operation needs its own.
      const queryHash = createHash('sha256').update(print(document)).digest('hex');
      const result = await execute({ ...requestContext, document, queryHash });
      return { ...result, errors: [...errors, ...(result.errors ?? [])] };
    };
  }
}
