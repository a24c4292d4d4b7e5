import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Kind, parse, type ObjectTypeDefinitionNode } from 'graphql';
import { format, getFileInfo, resolveConfig } from 'prettier';
import { isMap, isScalar, isSeq, parseAllDocuments, parseDocument, visit, type Document, type Pair, type YAMLMap } from 'yaml';
import { composeSupergraph } from '../schema/composeSupergraph.js';
import { appendToRegistry, newSubgraphNameProblem, nextFreePort, readRegistry, type SubgraphEntry } from '../schema/registry.js';
import { builtFile, GATEWAY_ENTRY, subgraphEntry } from './serviceCommands.js';

// npm run subgraph:new -- <name> [--root <dir>]: a new subgraph from scripts/subgraph-template/,
// registered, composed into the supergraph, and added to docker-compose.yml and deploy/k8s/;
// every file it writes comes out as the tree's Prettier settings format it.

const USAGE = 'Usage: npm run subgraph:new -- <name> [--root <dir>]   (or SUPERGATE_ROOT=<dir>)';
const TEMPLATE_DIR = fileURLToPath(new URL('./subgraph-template/', import.meta.url));
const DEFAULT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A request the scaffold turns down before (or instead of) keeping anything. */
class Refusal extends Error {}

interface Scaffolded {
  readonly port: number;
  readonly files: readonly string[];
  /** What happened to each deployment description the repository has. */
  readonly deployment: readonly DeploymentOutcome[];
}

/** A deployment description updated for the new service, or left alone with what to add by hand. */
type DeploymentOutcome =
  { readonly updated: true; readonly summary: string; readonly written: readonly string[] } | { readonly updated: false; readonly todo: string };

const YAML_OUTPUT = { flowCollectionPadding: false, lineWidth: 0 } as const;

async function main(): Promise<void> {
  let name: string;
  let root: string;
  try {
    const { values, positionals } = parseArgs({ options: { root: { type: 'string' } }, allowPositionals: true });
    if (positionals.length !== 1 || positionals[0] === undefined)
      throw new Refusal(positionals.length === 0 ? 'Name the new subgraph.' : 'Give exactly one name.');
    name = positionals[0];
    root = resolve(values.root ?? process.env['SUPERGATE_ROOT'] ?? DEFAULT_ROOT);
  } catch (error) {
    fail(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  try {
    const result = scaffoldSubgraph(root, name);
    const written = [
      ...result.files.map((file) => join(root, file)),
      join(root, 'schema', 'supergraph.yaml'),
      join(root, 'schema', 'supergraph.graphql'),
      ...result.deployment.flatMap((outcome) => (outcome.updated ? outcome.written : [])),
    ];
    await formatInPlace(root, written);
    report(root, name, result);
  } catch (error) {
    fail(error instanceof Refusal ? error.message : `Could not create subgraph "${name}": ${error instanceof Error ? error.message : String(error)}`);
  }
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

/**
 * Writes `subgraphs/<name>/`, registers it and recomposes the supergraph. Every
 * refusal happens before the first write; a composition failure removes what was written.
 */
function scaffoldSubgraph(root: string, name: string): Scaffolded {
  const registryPath = join(root, 'schema', 'supergraph.yaml');
  const supergraphPath = join(root, 'schema', 'supergraph.graphql');
  const entries = readRegistry(registryPath);
  const problem = newSubgraphNameProblem(name, entries);
  if (problem !== undefined) throw new Refusal(problem);
  const dir = join(root, 'subgraphs', name);
  if (existsSync(dir)) throw new Refusal(`subgraphs/${name} already exists; remove it or pick another name.`);
  const typeName = `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
  if (existsSync(supergraphPath)) refuseClashes(readFileSync(supergraphPath, 'utf8'), name, typeName);

  const port = nextFreePort(entries);
  const files = renderTemplate(TEMPLATE_DIR, { name, Name: typeName, port: String(port) });
  const registryBefore = readFileSync(registryPath, 'utf8');
  try {
    for (const [path, content] of files) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    appendToRegistry({ name, routingUrl: `http://127.0.0.1:${port}/graphql`, schema: `../subgraphs/${name}/schema.graphql` }, registryPath);
    const composed = composeSupergraph(readRegistry(registryPath));
    if (!composed.ok) {
      throw new Refusal(
        `The supergraph does not compose with "${name}" added, so nothing was kept:\n${composed.errors.map((error) => `  - ${error}`).join('\n')}`,
      );
    }
    writeFileSync(supergraphPath, composed.supergraphSdl);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    writeFileSync(registryPath, registryBefore);
    throw error;
  }
  const deployment = [
    addToDockerCompose(join(root, 'docker-compose.yml'), name, port, entries),
    addToKubernetes(join(root, 'deploy', 'k8s'), name, port, entries),
  ];
  return { port, files: [...files.keys()].map((path) => join('subgraphs', name, path)), deployment: deployment.filter((outcome) => outcome !== undefined) };
}

/** Refuses names whose generated type or fields the supergraph already has; composition would reject them less clearly. */
function refuseClashes(supergraphSdl: string, name: string, typeName: string): void {
  const types = new Map(
    parse(supergraphSdl)
      .definitions.filter((definition): definition is ObjectTypeDefinitionNode => definition.kind === Kind.OBJECT_TYPE_DEFINITION)
      .map((definition) => [definition.name.value, new Set((definition.fields ?? []).map((field) => field.name.value))]),
  );
  const product = types.get('Product');
  if (!product?.has('upc')) throw new Refusal('The template extends Product @key(fields: "upc"), which this supergraph does not have.');
  if (types.has(typeName))
    throw new Refusal(`The supergraph already has a type named ${typeName}; the new subgraph's entity would clash with it. Pick another name.`);
  for (const [type, fields] of [
    ['Query', types.get('Query')],
    ['Product', product],
  ] as const) {
    if (fields?.has(name))
      throw new Refusal(`The supergraph already has ${type}.${name}; the new subgraph would add a field with that name. Pick another name.`);
  }
}

/** Every `*.tmpl` file under `dir`, by output path, with `{{placeholder}}`s filled in both path and text. */
function renderTemplate(dir: string, values: Readonly<Record<string, string>>): Map<string, string> {
  const fill = (text: string): string =>
    text.replace(/\{\{(\w+)\}\}/g, (placeholder, key: string) => {
      const value = values[key];
      if (value === undefined) throw new Error(`${dir} uses ${placeholder}, which the scaffold does not fill`);
      return value;
    });
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.tmpl')) continue;
    const source = join(entry.parentPath, entry.name);
    files.set(fill(relative(dir, source).slice(0, -'.tmpl'.length)), fill(readFileSync(source, 'utf8')));
  }
  return files;
}

/**
 * Adds the service to docker-compose.yml as a copy of a registered subgraph's service
 * (same image, environment anchors and health check), and points every gateway at it.
 * Edits the YAML document rather than the text so comments, anchors and layout survive;
 * a file shaped differently is left alone with a note saying what to add.
 */
function addToDockerCompose(path: string, name: string, port: number, entries: readonly SubgraphEntry[]): DeploymentOutcome | undefined {
  if (!existsSync(path)) return undefined;
  const variable = `SUBGRAPH_${name.toUpperCase()}_URL`;
  const entryPoint = builtFile(subgraphEntry(name));
  const manual = (why: string): DeploymentOutcome => ({
    updated: false,
    todo: `docker-compose.yml (${why}): add a "${name}" service running ${entryPoint} with PORT "${port}", and give each gateway ${variable}: http://${name}:${port}/graphql and a depends_on entry.`,
  });
  const doc = parseDocument(readFileSync(path, 'utf8'));
  const services = doc.get('services', true);
  if (doc.errors.length > 0 || !isMap(services)) return manual('it has no services map this script understands');
  const pairs = services.items;
  const keyOf = (pair: Pair): unknown => (isScalar(pair.key) ? pair.key.value : pair.key);
  const registered = new Set(entries.map((entry) => entry.name));

  const model = entries
    .filter((entry) => entry.peers.length === 0)
    .map((entry) => ({ entry, pair: pairs.find((pair) => keyOf(pair) === entry.name) }))
    // A service that defines anchors cannot be copied without defining them twice.
    .find(({ pair }) => pair !== undefined && isMap(pair.value) && !definesAnchor(pair.value));
  if (model?.pair === undefined || !isMap(model.pair.value)) return manual('no registered subgraph service without peers and anchors to copy');
  const gatewayEntryPoint = builtFile(GATEWAY_ENTRY);
  const gateways = pairs.filter((pair) => isMap(pair.value) && commandOf(pair.value).includes(gatewayEntryPoint));
  if (gateways.length === 0) return manual(`no gateway service (command ${gatewayEntryPoint}) found`);

  const service = model.pair.value.clone();
  const command = service.get('command', true);
  const environment = service.get('environment', true);
  if (!isSeq(command) || !isMap(environment) || !isScalar(environment.get('PORT', true))) {
    return manual(`the ${model.entry.name} service has no command list and PORT to copy`);
  }
  for (const item of command.items) {
    if (isScalar(item) && typeof item.value === 'string') item.value = item.value.replace(`subgraphs/${model.entry.name}/`, `subgraphs/${name}/`);
  }
  const portNode = environment.get('PORT', true);
  if (isScalar(portNode)) portNode.value = String(port);
  const servicePair = doc.createPair(name, service);
  if (isScalar(servicePair.key)) servicePair.key.spaceBefore = true;
  const lastSubgraph = Math.max(...pairs.map((pair, index) => (registered.has(String(keyOf(pair))) ? index : -1)));
  pairs.splice(lastSubgraph + 1, 0, servicePair);

  for (const gateway of gateways) {
    const gatewayService = gateway.value as YAMLMap;
    const gatewayEnv = gatewayService.get('environment', true);
    if (isMap(gatewayEnv))
      insertAfterLast(gatewayEnv, (key) => /^SUBGRAPH_[A-Z0-9]+_URL$/.test(key), doc.createPair(variable, `http://${name}:${port}/graphql`));
    const dependsOn = gatewayService.get('depends_on', true);
    if (isMap(dependsOn)) insertAfterLast(dependsOn, (key) => registered.has(key), doc.createPair(name, { condition: 'service_healthy' }));
  }

  const text = doc.toString(YAML_OUTPUT);
  if (!text.includes(entryPoint) || !text.includes(`${variable}: http://${name}:${port}/graphql`) || parseDocument(text).errors.length > 0) {
    return manual('the edited file did not come out as expected');
  }
  writeFileSync(path, text);
  return {
    updated: true,
    summary: `docker-compose.yml: a "${name}" service (copied from ${model.entry.name}), and ${variable} with a depends_on entry for each gateway`,
    written: [path],
  };
}

/**
 * Adds the service to the Kubernetes manifests: `<name>.yaml` as a copy of a registered
 * subgraph's Deployment and Service with name and port replaced, an entry in
 * kustomization.yaml, and its URL in every map that lists all subgraphs' URLs (the
 * gateway's ConfigMap). All or nothing: a file shaped differently leaves them all alone.
 */
function addToKubernetes(dir: string, name: string, port: number, entries: readonly SubgraphEntry[]): DeploymentOutcome | undefined {
  if (!existsSync(dir)) return undefined;
  const variable = `SUBGRAPH_${name.toUpperCase()}_URL`;
  const entryPoint = builtFile(subgraphEntry(name));
  const manual = (why: string): DeploymentOutcome => ({
    updated: false,
    todo:
      `deploy/k8s (${why}): add ${name}.yaml with a Deployment running ${entryPoint} and a Service named ${name} on port ${port}, ` +
      `list it in kustomization.yaml, and add ${variable}: http://${name}:${port}/graphql to the gateway's ConfigMap.`,
  });
  const manifestPath = join(dir, `${name}.yaml`);
  if (existsSync(manifestPath)) return manual(`${name}.yaml already exists`);
  const model = entries.find((entry) => entry.peers.length === 0 && existsSync(join(dir, `${entry.name}.yaml`)));
  if (model === undefined) return manual('no manifest of a subgraph without peers to copy');

  const manifestDocs = readYamlDocuments(join(dir, `${model.name}.yaml`));
  if (manifestDocs === undefined) return manual(`${model.name}.yaml does not parse`);
  for (const doc of manifestDocs) {
    visit(doc, {
      Scalar(_, node) {
        if (node.value === model.name) node.value = name;
        else if (node.value === model.port) node.value = port;
        else if (node.value === String(model.port)) node.value = String(port);
        else if (typeof node.value === 'string') node.value = node.value.replace(`subgraphs/${model.name}/`, `subgraphs/${name}/`);
      },
    });
  }
  const manifest = manifestDocs.map((doc) => doc.toString(YAML_OUTPUT)).join('');
  // Anything still naming the model (a comment, a compound name) would be wrong for the copy.
  if (!manifest.includes(entryPoint) || new RegExp(`\\b${model.name}\\b`).test(manifest))
    return manual(`${model.name}.yaml names ${model.name} in a way this script cannot rewrite`);

  const kustomizationPath = join(dir, 'kustomization.yaml');
  const kustomization = existsSync(kustomizationPath) ? parseDocument(readFileSync(kustomizationPath, 'utf8')) : undefined;
  const resources = kustomization?.get('resources', true);
  if (kustomization === undefined || kustomization.errors.length > 0 || !isSeq(resources)) return manual('kustomization.yaml has no resources list');
  const files = new Set(entries.map((entry) => `${entry.name}.yaml`));
  const lastFile = Math.max(...resources.items.map((item, index) => (isScalar(item) && files.has(String(item.value)) ? index : -1)));
  resources.items.splice(lastFile === -1 ? resources.items.length : lastFile + 1, 0, kustomization.createNode(`${name}.yaml`));

  const registeredVariables = entries.map((entry) => `SUBGRAPH_${entry.name.toUpperCase()}_URL`);
  const configs = new Map<string, string>();
  for (const file of readdirSync(dir).filter((file) => /\.ya?ml$/.test(file) && file !== 'kustomization.yaml')) {
    const docs = readYamlDocuments(join(dir, file));
    let added = 0;
    for (const doc of docs ?? []) {
      visit(doc, {
        Map(_, map) {
          const keys = new Set(map.items.map((item) => (isScalar(item.key) ? String(item.key.value) : '')));
          if (!registeredVariables.every((key) => keys.has(key))) return;
          insertAfterLast(map, (key) => /^SUBGRAPH_[A-Z0-9]+_URL$/.test(key), doc.createPair(variable, `http://${name}:${port}/graphql`));
          added += 1;
        },
      });
    }
    if (added > 0 && docs !== undefined) configs.set(file, docs.map((doc) => doc.toString(YAML_OUTPUT)).join(''));
  }
  if (configs.size === 0) return manual("no map lists every subgraph's SUBGRAPH_<NAME>_URL");

  writeFileSync(manifestPath, manifest);
  writeFileSync(kustomizationPath, kustomization.toString(YAML_OUTPUT));
  for (const [file, text] of configs) writeFileSync(join(dir, file), text);
  return {
    updated: true,
    summary: `deploy/k8s: ${name}.yaml (copied from ${model.name}.yaml), listed in kustomization.yaml, ${variable} in ${[...configs.keys()].join(', ')}`,
    written: [manifestPath, kustomizationPath, ...[...configs.keys()].map((file) => join(dir, file))],
  };
}

/** Every document of a YAML file, or `undefined` when one does not parse. */
function readYamlDocuments(path: string): Document.Parsed[] | undefined {
  const parsed = parseAllDocuments(readFileSync(path, 'utf8'));
  const docs = Array.isArray(parsed) ? parsed : [];
  return docs.some((doc) => doc.errors.length > 0) ? undefined : docs;
}

function definesAnchor(node: YAMLMap): boolean {
  let anchors = node.anchor === undefined ? 0 : 1;
  visit(node, {
    Node(_, child) {
      if (child.anchor !== undefined) anchors += 1;
    },
  });
  return anchors > 0;
}

function commandOf(service: YAMLMap): string {
  const command = service.get('command', true);
  return isSeq(command) ? command.items.map((item) => (isScalar(item) ? String(item.value) : '')).join(' ') : String(command ?? '');
}

function insertAfterLast(map: YAMLMap, matches: (key: string) => boolean, pair: Pair): void {
  const items = map.items;
  const last = Math.max(...items.map((item, index) => (isScalar(item.key) && matches(String(item.key.value)) ? index : -1)));
  items.splice(last === -1 ? items.length : last + 1, 0, pair);
}

/**
 * Formats each file with the Prettier settings of the tree at `root` (its config and
 * .prettierignore), so what the scaffold writes passes `prettier --check` as it is.
 * A file Prettier ignores or has no parser for stays as written.
 */
async function formatInPlace(root: string, files: readonly string[]): Promise<void> {
  const ignorePath = join(root, '.prettierignore');
  for (const file of files) {
    const info = await getFileInfo(file, existsSync(ignorePath) ? { ignorePath } : {});
    if (info.ignored || info.inferredParser === null) continue;
    const options = await resolveConfig(file);
    writeFileSync(file, await format(readFileSync(file, 'utf8'), { ...options, filepath: file }));
  }
}

function report(root: string, name: string, result: Scaffolded): void {
  const lines = [`Created subgraph "${name}" (port ${result.port}):`, ...result.files.map((file) => `  ${file}`)];
  lines.push('Registered it in schema/supergraph.yaml and recomposed schema/supergraph.graphql.');
  for (const outcome of result.deployment) lines.push(outcome.updated ? `Added to ${outcome.summary}.` : `Left alone, to do by hand: ${outcome.todo}`);
  const cd = root === resolve(DEFAULT_ROOT) ? '' : `cd ${root} && `;
  lines.push(
    '',
    'Next:',
    `  ${cd}npm start     # runs ${name} with the other services; the gateway serves its fields`,
    `  curl -s http://127.0.0.1:4000/graphql -H 'content-type: application/json' \\`,
    `    -d '{"query":"{ topProducts(first: 2) { name ${name} { description } } }"}'`,
    `Then grow subgraphs/${name}/schema.graphql and resolvers.ts, and run \`npm run compose\` and \`npm run schema:check\`.`,
  );
  console.log(lines.join('\n'));
}

await main();
