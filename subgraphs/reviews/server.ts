import { fileURLToPath } from 'node:url';
import { createSubgraphServer } from '../kit/server.js';
import type { SubgraphDefinition } from '../kit/startSubgraph.js';
import { createContext, type ReviewsContext } from './context.js';
import { resolvers } from './resolvers.js';

export function createReviewsServer(production: boolean) {
  return createSubgraphServer<ReviewsContext>({ name: 'reviews', schemaUrl: new URL('./schema.graphql', import.meta.url), resolvers, production });
}

/** The reviews service, as `index.ts` runs it and the tests start it. */
export const subgraph: SubgraphDefinition<ReviewsContext> = {
  name: 'reviews',
  defaultPort: 4004,
  migrationsDir: fileURLToPath(new URL('./migrations', import.meta.url)),
  createService: (db, config, { events }) => ({
    server: createReviewsServer(config.production),
    createContext: (identity) => createContext(db, identity, events),
  }),
};
