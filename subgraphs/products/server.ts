import { fileURLToPath } from 'node:url';
import { createSubgraphServer } from '../kit/server.js';
import type { SubgraphDefinition } from '../kit/startSubgraph.js';
import { createContext, type ProductsContext } from './context.js';
import { resolvers } from './resolvers.js';

export function createProductsServer(production: boolean) {
  return createSubgraphServer<ProductsContext>({ name: 'products', schemaUrl: new URL('./schema.graphql', import.meta.url), resolvers, production });
}

/** The products service, as `index.ts` runs it and the tests start it. */
export const subgraph: SubgraphDefinition<ProductsContext> = {
  name: 'products',
  defaultPort: 4002,
  migrationsDir: fileURLToPath(new URL('./migrations', import.meta.url)),
  createService: (db, config) => ({ server: createProductsServer(config.production), createContext: () => createContext(db) }),
};
