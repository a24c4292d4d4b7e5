import { fileURLToPath } from 'node:url';
import { createSubgraphServer } from '../kit/server.js';
import type { SubgraphDefinition } from '../kit/startSubgraph.js';
import { createContext, type AccountsContext } from './context.js';
import { resolvers } from './resolvers.js';

export function createAccountsServer(production: boolean) {
  return createSubgraphServer<AccountsContext>({ name: 'accounts', schemaUrl: new URL('./schema.graphql', import.meta.url), resolvers, production });
}

/** The accounts service, as `index.ts` runs it and the tests start it. */
export const subgraph: SubgraphDefinition<AccountsContext> = {
  name: 'accounts',
  defaultPort: 4001,
  migrationsDir: fileURLToPath(new URL('./migrations', import.meta.url)),
  createService: (db, config) => ({ server: createAccountsServer(config.production), createContext: (identity) => createContext(db, identity) }),
};
