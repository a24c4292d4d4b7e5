import { createSubgraphServer } from '../kit/server.js';
import type { OrdersContext } from './context.js';
import { resolvers } from './resolvers.js';

export function createOrdersServer(production: boolean) {
  return createSubgraphServer<OrdersContext>({ name: 'orders', schemaUrl: new URL('./schema.graphql', import.meta.url), resolvers, production });
}
