import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { DataSet } from './dataSet.js';
import { createResolvers, SUBGRAPH_NAMES, type SubgraphName } from './resolvers.js';

/** A subgraph's SDL, as the benchmark's service declares it (derived from the supergraph's `@join__*` directives). */
export function subgraphTypeDefs(name: SubgraphName): DocumentNode {
  return parse(readFileSync(new URL(`./schemas/${name}.graphql`, import.meta.url), 'utf8'));
}

/** Every benchmark subgraph's executable schema over `data`. */
export function buildSubgraphSchemas(data: DataSet): ReadonlyMap<SubgraphName, GraphQLSchema> {
  const resolvers = createResolvers(data);
  return new Map(SUBGRAPH_NAMES.map((name) => [name, buildSubgraphSchema({ typeDefs: subgraphTypeDefs(name), resolvers: resolvers[name] })]));
}
