import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context.js';
import type { SubgraphCalls } from './SubgraphCalls.js';

export interface SubgraphCallsPluginOptions {
  readonly calls: SubgraphCalls;
}

/** Closes the subgraph connection pools when the server stops. */
export function useSubgraphCalls({ calls }: SubgraphCallsPluginOptions): ApolloServerPlugin<GatewayContext> {
  return {
    async serverWillStart() {
      return {
        async serverWillStop() {
          await calls.close();
        },
      };
    },
  };
}
