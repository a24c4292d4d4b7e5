import { readFileSync } from 'node:fs';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse, type GraphQLSchema } from 'graphql';
import { CHANGED_ENTITIES_EXTENSION, hasChangedEntities } from './changedEntities.js';

export interface SubgraphServerOptions<TContext extends BaseContext> {
  name: string;
  /** URL of the service's `schema.graphql` (its only shared artifact). */
  schemaUrl: URL;
  resolvers: GraphQLResolverMap<TContext>;
  production: boolean;
}

/** A subgraph's ApolloServer, with the schema it serves, which its subscriptions execute against too. */
export type SubgraphServer<TContext extends BaseContext> = ApolloServer<TContext> & { readonly schema: GraphQLSchema };

/** Builds a federated subgraph's ApolloServer from its SDL file and resolvers. */
export function createSubgraphServer<TContext extends BaseContext>(options: SubgraphServerOptions<TContext>): SubgraphServer<TContext> {
  const typeDefs = parse(readFileSync(options.schemaUrl, 'utf8'));
  const schema = buildSubgraphSchema([{ typeDefs, resolvers: options.resolvers }]);
  const server = new ApolloServer<TContext>({
    schema,
    includeStacktraceInErrorResponses: !options.production,
    csrfPrevention: true,
    // startSubgraph stops the HTTP server first, and the process that runs it owns the signals; Apollo's own handlers would race both.
    stopOnTerminationSignals: false,
    plugins: [
      // Traces are for Apollo's hosted reporting, which Supergate does not use; they cost time on every request.
      ApolloServerPluginInlineTraceDisabled(),
      {
        async requestDidStart() {
          return {
            async willSendResponse({ contextValue, response }) {
              if (!hasChangedEntities(contextValue) || response.body.kind !== 'single') return;
              const tags = contextValue.changes.list();
              if (tags.length === 0) return;
              const result = response.body.singleResult;
              result.extensions = { ...result.extensions, [CHANGED_ENTITIES_EXTENSION]: tags };
            },
          };
        },
      },
    ],
  });
  return Object.assign(server, { schema });
}
