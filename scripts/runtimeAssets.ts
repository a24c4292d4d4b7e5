import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/**
 * Files the services read at run time, found beside the code that reads them
 * (a URL relative to `import.meta.url`), as paths relative to the project root.
 * The build copies them into `dist/` at the same place, so the compiled code finds them too.
 */
const RUNTIME_ASSETS = [
  // The gateway's default SUPERGRAPH_PATH, the registry the launcher reads, and what schema:check compares against.
  /^schema\/(supergraph\.graphql|supergraph\.yaml|accepted-changes\.json)$/,
  /^subgraphs\/[^/]+\/schema\.graphql$/,
  /^subgraphs\/[^/]+\/migrations\/[^/]+\.sql$/,
];

/** The folders runtime assets live in. */
const ASSET_FOLDERS = ['schema', 'subgraphs'];

/** Whether `path` (relative to the project root, `/`-separated) is read at run time. */
export function isRuntimeAsset(path: string): boolean {
  return RUNTIME_ASSETS.some((pattern) => pattern.test(path));
}

/** Every runtime asset under `root`, relative to it, sorted. */
export function runtimeAssets(root: string): string[] {
  return ASSET_FOLDERS.flatMap((folder) =>
    readdirSync(join(root, folder), { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'))
      .filter(isRuntimeAsset),
  ).sort();
}

/** Copies every runtime asset from `root` into `outDir` at the same relative path; returns what it copied. */
export function copyRuntimeAssets(root: string, outDir: string): string[] {
  const assets = runtimeAssets(root);
  for (const asset of assets) {
    const target = join(outDir, asset);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(root, asset), target);
  }
  return assets;
}
