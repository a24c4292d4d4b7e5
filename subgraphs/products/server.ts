import { createSubgraphServer } from '../kit/server.js';
import type { ProductsContext } from './context.js';
import { resolvers } from './resolvers.js';

export function createProductsServer(production: boolean) {
  return createSubgraphServer<ProductsContext>({ name: 'products', schemaUrl: new URL('./schema.graphql', import.meta.url), resolvers, production });
}
