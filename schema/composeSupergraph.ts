import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse, type GraphQLError } from 'graphql';
import type { SubgraphEntry } from './registry.js';

export type CompositionResult = { ok: true; supergraphSdl: string } | { ok: false; errors: string[] };

/** Composes the registered subgraphs' SDL into a supergraph, or explains why it can't. */
export function composeSupergraph(entries: readonly SubgraphEntry[]): CompositionResult {
  const errors: string[] = [];
  const services = [];
  for (const entry of entries) {
    try {
      services.push({ name: entry.name, url: entry.routingUrl, typeDefs: parse(readFileSync(entry.schemaPath, 'utf8')) });
    } catch (error) {
      errors.push(`${entry.name}: ${entry.schemaPath}: ${describe(error as GraphQLError)}`);
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  const result = composeServices(services);
  if (result.errors !== undefined) return { ok: false, errors: result.errors.map(describe) };
  return { ok: true, supergraphSdl: result.supergraphSdl };
}

function describe(error: GraphQLError): string {
  const code = typeof error.extensions?.['code'] === 'string' ? `[${error.extensions['code']}] ` : '';
  const locations = (error.locations ?? []).map((loc) => `line ${loc.line}:${loc.column}`).join(', ');
  return `${code}${error.message}${locations === '' ? '' : ` (${locations})`}`;
}
