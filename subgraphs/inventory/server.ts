import { fileURLToPath } from 'node:url';
import { createSubgraphServer } from '../kit/server.js';
import type { SubgraphDefinition } from '../kit/startSubgraph.js';
import { createContext, type InventoryContext } from './context.js';
import { resolvers } from './resolvers.js';

export function createInventoryServer(production: boolean) {
  return createSubgraphServer<InventoryContext>({ name: 'inventory', schemaUrl: new URL('./schema.graphql', import.meta.url), resolvers, production });
}

/** The inventory service, as `index.ts` runs it and the tests start it. */
export const subgraph: SubgraphDefinition<InventoryContext> = {
  name: 'inventory',
  defaultPort: 4003,
  migrationsDir: fileURLToPath(new URL('./migrations', import.meta.url)),
  createService: (db, config, { events }) => ({
    server: createInventoryServer(config.production),
    createContext: (identity) => createContext(db, identity, events),
  }),
};
