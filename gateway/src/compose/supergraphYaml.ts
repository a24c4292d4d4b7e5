import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isMap, parseDocument } from 'yaml';

/** Where one subgraph's SDL comes from, as `rover supergraph compose` names the choices. */
export type SchemaSource =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'introspection'; readonly url: string; readonly headers: Readonly<Record<string, string>> }
  | { readonly kind: 'sdl'; readonly sdl: string };

export interface SubgraphConfig {
  readonly name: string;
  /** Where the gateway sends this subgraph's requests (`routing_url`, else the introspection URL). */
  readonly routingUrl: string;
  readonly schema: SchemaSource;
  /** Keys rover's format does not have, which rover ignores; a project's own tools may read them. */
  readonly extra: Readonly<Record<string, unknown>>;
}

export interface SupergraphConfig {
  readonly path: string;
  /** `federation_version` as written, when it is. */
  readonly federationVersion: string | undefined;
  /** In the file's order. */
  readonly subgraphs: readonly SubgraphConfig[];
}

/** A supergraph.yaml that cannot be composed, with every problem found in it. */
export class SupergraphConfigError extends Error {
  readonly problems: readonly string[];

  constructor(path: string, problems: readonly string[]) {
    super(`${path}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'SupergraphConfigError';
    this.problems = problems;
  }
}

const KNOWN_SUBGRAPH_KEYS = new Set(['routing_url', 'schema']);

/**
 * Reads a `supergraph.yaml` in the format of Apollo's `rover supergraph compose`:
 * `federation_version`, and `subgraphs.<name>` with `routing_url` and a `schema` that
 * is a `file` (relative to the yaml file), a `subgraph_url` to introspect (with
 * `introspection_headers`) or inline `sdl`. `graphref` needs Apollo GraphOS and is refused.
 */
export async function readSupergraphConfig(path: string): Promise<SupergraphConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new SupergraphConfigError(path, [`cannot be read: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error)}`]);
  }
  return parseSupergraphConfig(path, text);
}

/** `readSupergraphConfig` on text already read; `path` places relative schema files. */
export function parseSupergraphConfig(path: string, text: string): SupergraphConfig {
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0)
    throw new SupergraphConfigError(
      path,
      document.errors.map((error) => `is not valid YAML: ${error.message}`),
    );
  const problems: string[] = [];
  const root: unknown = isMap(document.contents) ? document.toJS() : undefined;
  if (!isRecord(root)) throw new SupergraphConfigError(path, ['must be a map with federation_version and subgraphs']);
  const federationVersion = readFederationVersion(root['federation_version'], problems);
  const subgraphs: SubgraphConfig[] = [];
  const entries = root['subgraphs'];
  if (!isRecord(entries) || Object.keys(entries).length === 0) {
    problems.push('subgraphs must map each subgraph name to its routing_url and schema');
  } else {
    for (const [name, entry] of Object.entries(entries)) {
      const subgraph = readSubgraph(name, entry, dirname(path), problems);
      if (subgraph !== undefined) subgraphs.push(subgraph);
    }
  }
  if (problems.length > 0) throw new SupergraphConfigError(path, problems);
  return { path, federationVersion, subgraphs };
}

function readFederationVersion(value: unknown, problems: string[]): string | undefined {
  if (value === undefined || value === null) return undefined;
  const version = (typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value)).trim();
  if (/^(latest-1|=?1|=?0\.\d+\.\d+.*)$/.test(version)) {
    problems.push(
      `federation_version ${version} asks for Federation 1 composition, which Supergate does not do; set it to 2 (Federation 1 subgraph schemas compose under Federation 2 too)`,
    );
  } else if (!/^(latest-2|=?2|=?2\.\d+\.\d+(-[\w.]+)?)$/.test(version)) {
    problems.push(`federation_version must be 2, latest-2 or an exact =2.x.y; got "${version}"`);
  }
  return version;
}

function readSubgraph(name: string, entry: unknown, folder: string, problems: string[]): SubgraphConfig | undefined {
  const where = `subgraphs.${name}`;
  if (!isRecord(entry)) {
    problems.push(`${where} must be a map with routing_url and schema`);
    return undefined;
  }
  const schema = readSchemaSource(where, entry['schema'], folder, problems);
  const routingUrl = entry['routing_url'] ?? (schema?.kind === 'introspection' ? schema.url : undefined);
  if (routingUrl === undefined) {
    problems.push(`${where}.routing_url is required: where the gateway sends this subgraph's requests`);
  } else if (typeof routingUrl !== 'string' || !isHttpUrl(routingUrl)) {
    problems.push(`${where}.routing_url must be an absolute http(s) URL${expansionNote(routingUrl)}; got ${JSON.stringify(routingUrl)}`);
  }
  if (schema === undefined || typeof routingUrl !== 'string') return undefined;
  const extra = Object.fromEntries(Object.entries(entry).filter(([key]) => !KNOWN_SUBGRAPH_KEYS.has(key)));
  return { name, routingUrl, schema, extra };
}

function readSchemaSource(where: string, schema: unknown, folder: string, problems: string[]): SchemaSource | undefined {
  const given = isRecord(schema) ? ['file', 'subgraph_url', 'graphref', 'sdl'].filter((key) => schema[key] !== undefined) : [];
  if (!isRecord(schema) || given.length !== 1) {
    problems.push(`${where}.schema must have exactly one of file, subgraph_url or sdl${given.length > 1 ? `; it has ${given.join(' and ')}` : ''}`);
    return undefined;
  }
  const [kind = ''] = given;
  const value = schema[kind];
  if (kind === 'graphref') {
    problems.push(
      `${where}.schema.graphref fetches the SDL from Apollo GraphOS, which Supergate does not reach; save it to a file (\`rover subgraph fetch ${String(value)} --name ${typeof schema['subgraph'] === 'string' ? schema['subgraph'] : '<name>'} > schema.graphql\`) and use schema.file`,
    );
    return undefined;
  }
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push(`${where}.schema.${kind} must be a non-empty string`);
    return undefined;
  }
  if (kind === 'file') return { kind, path: resolve(folder, value) };
  if (kind === 'sdl') return { kind, sdl: value };
  if (!isHttpUrl(value)) {
    problems.push(`${where}.schema.subgraph_url must be an absolute http(s) URL${expansionNote(value)}; got ${JSON.stringify(value)}`);
    return undefined;
  }
  const headers = schema['introspection_headers'] ?? {};
  if (!isRecord(headers) || !Object.values(headers).every((header) => typeof header === 'string')) {
    problems.push(`${where}.schema.introspection_headers must map header names to strings`);
    return undefined;
  }
  return { kind: 'introspection', url: value, headers: headers as Record<string, string> };
}

/** Rover expands `${env.NAME}` in the file; Supergate reads the environment only for the gateway's own settings. */
function expansionNote(value: unknown): string {
  return typeof value === 'string' && value.includes('${env.') ? ' (Supergate does not expand ${env.NAME}: write the value itself)' : '';
}

function isHttpUrl(value: string): boolean {
  return URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
