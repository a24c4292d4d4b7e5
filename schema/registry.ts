import { readFileSync, writeFileSync } from 'node:fs';
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

/** Reads and validates the registry, failing with the entry and field at fault. */
export function readRegistry(path: string = REGISTRY_PATH): SubgraphEntry[] {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as { subgraphs?: unknown };
  if (!Array.isArray(raw.subgraphs)) throw new Error(`${path}: expected a "subgraphs" array`);
  const seen = new Set<string>();
  return raw.subgraphs.map((value: unknown, index: number): SubgraphEntry => {
    const entry = value as Record<string, unknown>;
    const where = `${path}: subgraphs[${index}]`;
    const name = entry['name'];
    if (typeof name !== 'string' || !SUBGRAPH_NAME.test(name)) throw new Error(`${where}.name must be a lowercase word, got ${JSON.stringify(name)}`);
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

/** Why `name` cannot be a new subgraph, or `undefined` when it can. */
export function newSubgraphNameProblem(name: string, entries: readonly SubgraphEntry[]): string | undefined {
  if (!SUBGRAPH_NAME.test(name)) {
    return `"${name}" is not a valid subgraph name: use 2 to 31 lowercase letters and digits, starting with a letter (for example "warranty").`;
  }
  if (RESERVED_NAMES.has(name)) return `"${name}" is reserved (the kit, the gateway, a GraphQL built-in type or an SQL keyword); pick another name.`;
  if (entries.some((entry) => entry.name === name)) return `A subgraph named "${name}" is already registered in schema/subgraphs.json.`;
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

/** An entry as `schema/subgraphs.json` stores it: the SDL path is relative to the registry file. */
export interface RegistryRecord {
  name: string;
  port: number;
  routingUrl: string;
  schema: string;
  peers?: string[];
}

/** Appends `record` to the registry file, keeping one entry per line. */
export function appendToRegistry(record: RegistryRecord, path: string = REGISTRY_PATH): void {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as { subgraphs: unknown[] };
  writeFileSync(path, formatRegistry({ ...raw, subgraphs: [...raw.subgraphs, record] }));
}

function formatRegistry(raw: { subgraphs: unknown[] }): string {
  if (Object.keys(raw).length !== 1) return `${JSON.stringify(raw, null, 2)}\n`;
  return `{\n  "subgraphs": [\n${raw.subgraphs.map((entry) => `    ${inlineJson(entry)}`).join(',\n')}\n  ]\n}\n`;
}

/** JSON on one line with spaces after colons and commas, as the registry is written by hand. */
function inlineJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inlineJson).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{ ${Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}: ${inlineJson(item)}`).join(', ')} }`;
  }
  return JSON.stringify(value);
}
