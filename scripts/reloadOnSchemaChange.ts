import { watch } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { composeSupergraph } from '../schema/composeSupergraph.js';
import { SUPERGRAPH_PATH, type SubgraphEntry } from '../schema/registry.js';
import type { RunningSystem } from './system.js';

const SETTLE_MS = 200;

/**
 * Development: when a subgraph's SDL changes, restart that subgraph and
 * recompose the supergraph file, which the gateway then loads without a
 * restart. A change that does not compose is reported and changes nothing.
 */
export function reloadOnSchemaChange(
  system: RunningSystem,
  entries: readonly SubgraphEntry[],
  log: (line: string) => void,
  supergraphPath = SUPERGRAPH_PATH,
): { close(): void } {
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();

  const apply = async (): Promise<void> => {
    const changed = [...pending];
    pending.clear();
    const result = composeSupergraph(entries);
    if (!result.ok) {
      log(`[schema] ${changed.join(', ')} changed but the subgraphs no longer compose; nothing was reloaded:`);
      for (const error of result.errors) log(`[schema]   - ${error}`);
      return;
    }
    for (const name of changed) {
      await system.restart(name);
      log(`[schema] restarted ${name} with its new SDL`);
    }
    const previous = await readFile(supergraphPath, 'utf8').catch(() => '');
    if (previous !== result.supergraphSdl) {
      await writeFile(supergraphPath, result.supergraphSdl);
      log(`[schema] recomposed ${supergraphPath}; the gateway loads it without a restart`);
    }
  };

  const watchers = entries.map((entry) =>
    // The folder, not the file: editors replace files, which ends a watch on the old one.
    watch(dirname(entry.schemaPath), (_event, file) => {
      if (file !== basename(entry.schemaPath)) return;
      pending.add(entry.name);
      clearTimeout(timer);
      timer = setTimeout(() => {
        running = running.then(apply).catch((error: unknown) => log(`[schema] reload failed: ${error instanceof Error ? error.message : String(error)}`));
      }, SETTLE_MS);
    }),
  );
  return {
    close() {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
