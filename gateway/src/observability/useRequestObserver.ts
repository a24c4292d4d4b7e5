import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context.js';
import type { RequestObserver } from './RequestObserver.js';

export interface RequestObserverPluginOptions {
  readonly observer: RequestObserver;
}

/** Tells the request observer each operation's name and the codes of the errors it answered with. */
export function useRequestObserver({ observer }: RequestObserverPluginOptions): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, operationName, request, response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : response.body.initialResult.errors;
          const errorCodes = (errors ?? []).map((error) => {
            const code = error.extensions?.['code'];
            return typeof code === 'string' ? code : 'UNKNOWN';
          });
          observer.describe(contextValue, { resolvedName: operationName, requestedName: request.operationName, errorCodes });
        },
      };
    },
  };
}
