import { composeServices } from '@apollo/composition';
import { parse, type GraphQLError } from 'graphql';

/** One subgraph's SDL ready to compose. */
export interface SubgraphSdl {
  readonly name: string;
  readonly routingUrl: string;
  readonly sdl: string;
  /** Where the SDL came from (a file path, a URL), for syntax errors. */
  readonly origin: string;
}

export type CompositionResult = { ok: true; supergraphSdl: string; hints: string[] } | { ok: false; errors: string[] };

/** Composes subgraphs into a Federation 2 supergraph with @apollo/composition, or says why they don't compose. */
export function composeSubgraphs(subgraphs: readonly SubgraphSdl[]): CompositionResult {
  const errors: string[] = [];
  const services = [];
  for (const subgraph of subgraphs) {
    try {
      services.push({ name: subgraph.name, url: subgraph.routingUrl, typeDefs: parse(subgraph.sdl) });
    } catch (error) {
      errors.push(`${subgraph.name}: ${subgraph.origin}: ${describeError(error as GraphQLError)}`);
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  const result = composeServices(services);
  if (result.errors !== undefined) return { ok: false, errors: result.errors.map(describeError) };
  return { ok: true, supergraphSdl: result.supergraphSdl, hints: result.hints.map((hint) => `[${hint.definition.code}] ${hint.message}`) };
}

/** `[CODE] message (line 3:5)`: what composition and parse errors say, with where. */
function describeError(error: GraphQLError): string {
  const code = typeof error.extensions['code'] === 'string' ? `[${error.extensions['code']}] ` : '';
  const locations = (error.locations ?? []).map((loc) => `line ${loc.line}:${loc.column}`).join(', ');
  return `${code}${error.message}${locations === '' ? '' : ` (${locations})`}`;
}
