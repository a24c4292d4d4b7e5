import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { parse } from 'graphql';
import { composeSubgraphs, type CompositionResult } from '../compose/composeSubgraphs.js';
import { loadSubgraphSdl } from '../compose/subgraphSdl.js';
import { readSupergraphConfig, SupergraphConfigError, type SupergraphConfig } from '../compose/supergraphYaml.js';
import { unservableFeatures } from '../supergraph/unservableFeatures.js';
import type { ComposeOptions } from './composeCommand.js';

/** The @apollo/composition release that composes, whatever `federation_version` asks for. */
const COMPOSITION_VERSION = (createRequire(import.meta.url)('@apollo/composition/package.json') as { version: string }).version;

/** Composes what `options.config` lists and writes it out; the exit code: 1 when it does not compose. */
export async function compose(options: ComposeOptions): Promise<number> {
  let config: SupergraphConfig;
  try {
    config = await readSupergraphConfig(resolve(options.config));
  } catch (error) {
    if (!(error instanceof SupergraphConfigError)) throw error;
    console.error(`supergate compose: ${options.config} cannot be composed:\n${error.problems.map((problem) => `  - ${problem}`).join('\n')}`);
    return 1;
  }
  const version = config.federationVersion?.replace(/^=/, '');
  if (version !== undefined && /^\d+\.\d+\.\d+/.test(version) && version !== COMPOSITION_VERSION) {
    console.error(
      `supergate compose: federation_version asks for ${version}; composing with @apollo/composition ${COMPOSITION_VERSION}, the release Supergate ships`,
    );
  }
  const result = await composeConfig(config);
  if (!result.ok) {
    console.error(`supergate compose: composition failed with ${result.errors.length} error(s):`);
    for (const error of result.errors) console.error(`  - ${error}`);
    return 1;
  }
  if (options.hints) for (const hint of result.hints) console.error(`hint: ${hint}`);
  else if (result.hints.length > 0) console.error(`supergate compose: composed with ${result.hints.length} hint(s); --hints prints them`);
  // Rover's output serves other routers too, so this is said rather than refused.
  for (const problem of unservableFeatures(parse(result.supergraphSdl)))
    console.error(`supergate compose: supergate will not serve this supergraph: ${problem}`);
  if (options.output === undefined) {
    process.stdout.write(result.supergraphSdl);
    return 0;
  }
  const previous = await readFile(options.output, 'utf8').catch(() => undefined);
  if (previous === result.supergraphSdl) {
    console.error(`${options.output} is up to date.`);
  } else {
    await writeFile(options.output, result.supergraphSdl);
    console.error(`Wrote ${options.output} (${config.subgraphs.length} subgraph${config.subgraphs.length === 1 ? '' : 's'}).`);
  }
  return 0;
}

/** Loads every subgraph's SDL (at once: introspection waits on the network) and composes them. */
async function composeConfig(config: SupergraphConfig): Promise<CompositionResult> {
  const loaded = await Promise.allSettled(config.subgraphs.map(async (subgraph) => ({ ...subgraph, sdl: await loadSubgraphSdl(subgraph.schema) })));
  const errors = config.subgraphs.flatMap(({ name }, index) => {
    const outcome = loaded[index];
    return outcome?.status === 'rejected' ? [`${name}: ${outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason)}`] : [];
  });
  if (errors.length > 0) return { ok: false, errors };
  return composeSubgraphs(
    loaded.flatMap((outcome) =>
      outcome.status === 'fulfilled'
        ? [{ name: outcome.value.name, routingUrl: outcome.value.routingUrl, sdl: outcome.value.sdl, origin: originOf(outcome.value.schema) }]
        : [],
    ),
  );
}

function originOf(schema: SupergraphConfig['subgraphs'][number]['schema']): string {
  return schema.kind === 'file' ? schema.path : schema.kind === 'introspection' ? schema.url : 'schema.sdl';
}
