import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMap, parseDocument } from 'yaml';
import { parseSupergraphConfig } from '../gateway/src/compose/supergraphYaml.js';

/** One subgraph service as the registry (`schema/supergraph.yaml`) records it. */
export interface SubgraphEntry {
  /** Service name: lowercase, also its folder under `subgraphs/` and its database schema. */
  readonly name: string;
  /** Port the service listens on by default: its routing URL's. */
  readonly port: number;
  /** URL the composed supergraph routes to; the gateway may override it per deployment. */
  readonly routingUrl: string;
  /** Absolute path of the service's SDL file. */
  readonly schemaPath: string;
  /** Other subgraphs this one calls directly (service to service). */
  readonly peers: readonly string[];
}

export const REGISTRY_PATH = fileURLToPath(new URL('./supergraph.yaml', import.meta.url));
export const SUPERGRAPH_PATH = fileURLToPath(new URL('./supergraph.graphql', import.meta.url));

/** A subgraph name: lowercase letters and digits, starting with a letter (a folder, a database schema and part of env variable names). */
export const SUBGRAPH_NAME = /^[a-z][a-z0-9]{1,30}$/;

/** The gateway's default port, never handed to a subgraph. */
const GATEWAY_PORT = 4000;

/**
 * Names a new subgraph may not take although they match `SUBGRAPH_NAME`: the shared kit's
 * folder, the gateway's process name, PostgreSQL's default schema, GraphQL's root and
 * built-in type names (the scaffold names its entity after the service), and SQL keywords
 * that cannot name a PostgreSQL schema or table unquoted.
 */
const RESERVED_NAMES = new Set([
  ...['kit', 'gateway', 'public'],
  ...['query', 'mutation', 'subscription', 'int', 'float', 'string', 'boolean', 'id'],
  ...['all', 'analyse', 'analyze', 'and', 'array', 'as', 'asc', 'asymmetric', 'authorization', 'binary', 'both', 'case', 'cast', 'check'],
  ...['collate', 'collation', 'column', 'concurrently', 'constraint', 'create', 'cross', 'default', 'deferrable', 'desc', 'distinct', 'do'],
  ...['else', 'end', 'except', 'false', 'fetch', 'for', 'foreign', 'freeze', 'from', 'full', 'grant', 'group', 'having', 'ilike', 'in'],
  ...['initially', 'inner', 'intersect', 'into', 'is', 'isnull', 'join', 'lateral', 'leading', 'left', 'like', 'limit', 'localtime'],
  ...['localtimestamp', 'natural', 'not', 'notnull', 'null', 'offset', 'on', 'only', 'or', 'order', 'outer', 'overlaps', 'placing'],
  ...['primary', 'references', 'returning', 'right', 'select', 'similar', 'some', 'symmetric', 'table', 'tablesample', 'then', 'to'],
  ...['trailing', 'true', 'union', 'unique', 'user', 'using', 'variadic', 'verbose', 'when', 'where', 'window', 'with'],
]);

/**
 * Reads the registry, a supergraph.yaml in rover's format that `supergate compose` reads too,
 * and checks what the shop's launcher needs besides: lowercase names, SDL files, a port in
 * each routing URL, and `peers` that name registered subgraphs.
 */
export function readRegistry(path: string = REGISTRY_PATH): SubgraphEntry[] {
  const { subgraphs } = parseSupergraphConfig(path, readFileSync(path, 'utf8'));
  const names = new Set(subgraphs.map((subgraph) => subgraph.name));
  return subgraphs.map(({ name, routingUrl, schema, extra }): SubgraphEntry => {
    const where = `${path}: subgraphs.${name}`;
    if (!SUBGRAPH_NAME.test(name)) throw new Error(`${where}: the name must be a lowercase word, got ${JSON.stringify(name)}`);
    if (schema.kind !== 'file') throw new Error(`${where}.schema must be a file: the shop's subgraphs keep their SDL in the repository`);
    const port = Number(new URL(routingUrl).port);
    if (port === 0) throw new Error(`${where}.routing_url must name its port, which npm start listens on`);
    const peers = extra['peers'] ?? [];
    if (!Array.isArray(peers) || !peers.every((peer): peer is string => typeof peer === 'string' && names.has(peer))) {
      throw new Error(`${where}.peers must be a list of registered subgraph names`);
    }
    return { name, port, routingUrl, schemaPath: schema.path, peers };
  });
}

/** Why `name` cannot be a new subgraph, or `undefined` when it can. */
export function newSubgraphNameProblem(name: string, entries: readonly SubgraphEntry[]): string | undefined {
  if (!SUBGRAPH_NAME.test(name)) {
    return `"${name}" is not a valid subgraph name: use 2 to 31 lowercase letters and digits, starting with a letter (for example "warranty").`;
  }
  if (RESERVED_NAMES.has(name)) return `"${name}" is reserved (the kit, the gateway, a GraphQL built-in type or an SQL keyword); pick another name.`;
  if (entries.some((entry) => entry.name === name)) return `A subgraph named "${name}" is already registered in schema/supergraph.yaml.`;
  return undefined;
}

/** The port after the highest one registered, skipping the gateway's. */
export function nextFreePort(entries: readonly SubgraphEntry[]): number {
  const taken = new Set([GATEWAY_PORT, ...entries.map((entry) => entry.port)]);
  let port = Math.max(GATEWAY_PORT, ...taken) + 1;
  while (taken.has(port)) port += 1;
  if (port > 65535) throw new Error('No free port left above the registered ones.');
  return port;
}

/** A new entry of the registry; the SDL path is relative to the registry file. */
export interface RegistryRecord {
  name: string;
  routingUrl: string;
  schema: string;
}

/** Adds `record` to the registry file after the entries there, keeping their comments and layout. */
export function appendToRegistry(record: RegistryRecord, path: string = REGISTRY_PATH): void {
  const document = parseDocument(readFileSync(path, 'utf8'));
  const subgraphs = document.get('subgraphs', true);
  if (!isMap(subgraphs)) throw new Error(`${path}: expected a subgraphs map`);
  subgraphs.add(document.createPair(record.name, { routing_url: record.routingUrl, schema: { file: record.schema } }));
  writeFileSync(path, document.toString({ flowCollectionPadding: false, lineWidth: 0 }));
}
