import type { ApolloGateway } from '@apollo/gateway';
import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import type { GatewayContext } from './context.js';
import type { Execute } from './execution/executorTypes.js';

/** What Apollo Server takes as a gateway; @apollo/server names it only through its options. */
type GatewayInterface = ApolloServerOptionsWithGateway<GatewayContext>['gateway'];

/**
 * Apollo Server's gateway: an ApolloGateway whose executor is wrapped, once
 * per load, by `wrap` (the fast query-plan executor, then the edge pipeline).
 * Composed around what `load()` returns rather than overriding any of
 * ApolloGateway's methods, so an upgrade of @apollo/gateway cannot break it.
 */
export class SupergateGateway implements GatewayInterface {
  constructor(
    readonly inner: ApolloGateway,
    private readonly wrap: (execute: Execute) => Execute,
  ) {}

  async load(options: Parameters<GatewayInterface['load']>[0]): ReturnType<GatewayInterface['load']> {
    const loaded = await this.inner.load(options);
    return { ...loaded, executor: this.wrap(loaded.executor) };
  }

  onSchemaLoadOrUpdate(callback: Parameters<GatewayInterface['onSchemaLoadOrUpdate']>[0]): ReturnType<GatewayInterface['onSchemaLoadOrUpdate']> {
    return this.inner.onSchemaLoadOrUpdate(callback);
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }
}
