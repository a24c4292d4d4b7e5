import { createSubgraphServer } from '../kit/server.js';
import type { AccountsContext } from './context.js';
import { resolvers } from './resolvers.js';

export function createAccountsServer(production: boolean) {
  return createSubgraphServer<AccountsContext>({ name: 'accounts', schemaUrl: new URL('./schema.graphql', import.meta.url), resolvers, production });
}
