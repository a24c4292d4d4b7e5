import { readFileSync } from 'node:fs';
import { composeSubgraphs, type SubgraphSdl } from '../gateway/src/compose/composeSubgraphs.js';
import type { SubgraphEntry } from './registry.js';

export type CompositionResult = { ok: true; supergraphSdl: string } | { ok: false; errors: string[] };

/** Composes the registered subgraphs' SDL into a supergraph as `supergate compose` does, or explains why it can't. */
export function composeSupergraph(entries: readonly SubgraphEntry[]): CompositionResult {
  const errors: string[] = [];
  const subgraphs: SubgraphSdl[] = [];
  for (const entry of entries) {
    try {
      subgraphs.push({ name: entry.name, routingUrl: entry.routingUrl, sdl: readFileSync(entry.schemaPath, 'utf8'), origin: entry.schemaPath });
    } catch (error) {
      errors.push(`${entry.name}: cannot read ${entry.schemaPath}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return composeSubgraphs(subgraphs);
}
