import { createSubgraphServer } from '../kit/server.js';
import type { InventoryContext } from './context.js';
import { resolvers } from './resolvers.js';

export function createInventoryServer(production: boolean) {
  return createSubgraphServer<InventoryContext>({ name: 'inventory', schemaUrl: new URL('./schema.graphql', import.meta.url), resolvers, production });
}
