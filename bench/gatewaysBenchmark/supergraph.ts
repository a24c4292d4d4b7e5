import { readGatewaysBenchmark } from './dataSet.js';
import { SUBGRAPH_NAMES, type SubgraphName } from './resolvers.js';

/** Where each benchmark subgraph answers when the subgraphs server listens at `baseUrl`. */
export function subgraphUrls(baseUrl: string): Record<SubgraphName, string> {
  return Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, `${baseUrl.replace(/\/$/, '')}/${name}`])) as Record<SubgraphName, string>;
}

/** The benchmark's supergraph with each `@join__graph` routing URL pointed at `baseUrl`. */
export function supergraphAt(baseUrl: string): string {
  const urls = subgraphUrls(baseUrl);
  let rewritten = 0;
  const sdl = readGatewaysBenchmark().supergraph.replace(/@join__graph\(name: "([a-z]+)", url: "[^"]*"\)/g, (directive, name: string) => {
    // The supergraph may name a graph the benchmark does not know.
    const url = (urls as Partial<Record<string, string>>)[name];
    if (url === undefined) return directive;
    rewritten += 1;
    return `@join__graph(name: "${name}", url: "${url}")`;
  });
  if (rewritten !== SUBGRAPH_NAMES.length) throw new Error(`the benchmark supergraph names ${rewritten} of the subgraphs ${SUBGRAPH_NAMES.join(', ')}`);
  return sdl;
}
