import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

/** What buildSubgraphSchema takes as resolvers; @apollo/subgraph does not export the type by name. */
export type SubgraphResolvers = NonNullable<Extract<Parameters<typeof buildSubgraphSchema>[0], { resolvers?: unknown }>['resolvers']>;

/** A subgraph a test defines: its SDL and resolvers. */
export interface SubgraphDefinition {
  readonly name: string;
  readonly typeDefs: string;
  readonly resolvers: SubgraphResolvers;
}

export interface RunningSubgraphs {
  /** Each subgraph's URL by name. */
  readonly urls: ReadonlyMap<string, string>;
  stop(): Promise<void>;
}

export interface StartSubgraphsOptions {
  /** Seconds every answer may be cached for, sent as Cache-Control, so the gateway's response cache keeps it. @default 0 (not cacheable) */
  readonly defaultMaxAge?: number;
}

/** Serves each subgraph in this process with @apollo/server's standalone server, on a free loopback port. */
export async function startSubgraphs(definitions: readonly SubgraphDefinition[], options: StartSubgraphsOptions = {}): Promise<RunningSubgraphs> {
  const servers: ApolloServer[] = [];
  const urls = new Map<string, string>();
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((server) => server.stop()));
  };
  try {
    for (const { name, typeDefs, resolvers } of definitions) {
      const server = new ApolloServer({
        schema: buildSubgraphSchema({ typeDefs: parse(typeDefs), resolvers }),
        plugins: [ApolloServerPluginCacheControl({ defaultMaxAge: options.defaultMaxAge ?? 0 })],
      });
      const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
      servers.push(server);
      urls.set(name, url);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { urls, stop };
}
