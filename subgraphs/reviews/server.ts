import { createSubgraphServer } from '../kit/server.js';
import type { ReviewsContext } from './context.js';
import { resolvers } from './resolvers.js';

export function createReviewsServer(production: boolean) {
  return createSubgraphServer<ReviewsContext>({ name: 'reviews', schemaUrl: new URL('./schema.graphql', import.meta.url), resolvers, production });
}
