import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloServer, BaseContext } from '@apollo/server';
import { graphqlRequestListener } from '../../lib/http/graphqlRequestListener.js';

export interface ServedSubgraph {
  readonly url: string;
  readonly http: Server;
}

/**
 * Serves a started subgraph on a loopback port without checking the gateway's
 * token (the context is built by `context`). While `isDown()` says so, every
 * connection is cut before an answer, as when the subgraph is unreachable.
 */
export async function serveSubgraph<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  context: () => TContext,
  isDown: () => boolean = () => false,
): Promise<ServedSubgraph> {
  const listener = graphqlRequestListener(server, { maxBodyBytes: 1024 * 1024, context: async () => context() });
  const http = createServer((req, res) => {
    if (isDown()) {
      req.socket.destroy();
      return;
    }
    listener(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`, http };
}
