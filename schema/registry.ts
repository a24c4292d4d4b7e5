import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One subgraph service as the registry (`schema/subgraphs.json`) records it. */
export interface SubgraphEntry {
  /** Service name: lowercase, also its folder under `subgraphs/` and its database schema. */
  readonly name: string;
  /** Port the service listens on by default. */
  readonly port: number;
  /** URL the composed supergraph routes to; the gateway may override it per deployment. */
  readonly routingUrl: string;
  /** Absolute path of the service's SDL file. */
  readonly schemaPath: string;
  /** Other subgraphs this one calls directly (service to service). */
  readonly peers: readonly string[];
}

export const REGISTRY_PATH = fileURLToPath(new URL('./subgraphs.json', import.meta.url));
export const SUPERGRAPH_PATH = fileURLToPath(new URL('./supergraph.graphql', import.meta.url));

const NAME = /^[a-z][a-z0-9]{1,30}$/;

/** Reads and validates the registry, failing with the entry and field at fault. */
export function readRegistry(path: string = REGISTRY_PATH): SubgraphEntry[] {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as { subgraphs?: unknown };
  if (!Array.isArray(raw.subgraphs)) throw new Error(`${path}: expected a "subgraphs" array`);
  const seen = new Set<string>();
  return raw.subgraphs.map((value: unknown, index: number): SubgraphEntry => {
    const entry = value as Record<string, unknown>;
    const where = `${path}: subgraphs[${index}]`;
    const name = entry['name'];
    if (typeof name !== 'string' || !NAME.test(name)) throw new Error(`${where}.name must be a lowercase word, got ${JSON.stringify(name)}`);
    if (seen.has(name)) throw new Error(`${where}: "${name}" is registered twice`);
    seen.add(name);
    const port = entry['port'];
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${where}.port must be a port number`);
    const routingUrl = entry['routingUrl'];
    if (typeof routingUrl !== 'string' || !URL.canParse(routingUrl)) throw new Error(`${where}.routingUrl must be an absolute URL`);
    const schema = entry['schema'];
    if (typeof schema !== 'string') throw new Error(`${where}.schema must be the path of the SDL file`);
    const peers = entry['peers'] ?? [];
    if (!Array.isArray(peers) || !peers.every((peer) => typeof peer === 'string')) throw new Error(`${where}.peers must be a list of subgraph names`);
    return { name, port, routingUrl, schemaPath: fileURLToPath(new URL(schema, new URL(`file://${path}`))), peers };
  });
}
