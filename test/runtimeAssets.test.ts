import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRuntimeAsset } from '../scripts/runtimeAssets.js';
import { PROJECT_ROOT } from '../scripts/system.js';
import { readBuildConfig } from './support/buildOutputs.js';

// Compiled code finds files beside itself (`new URL('./schema.graphql', import.meta.url)`);
// from dist/ that works only for files the build copies there.

const BESIDE_ITSELF = /new URL\(\s*(['"`])([^'"`$]+)\1\s*,\s*import\.meta\.url\s*\)/g;

function projectPath(absolute: string): string {
  return relative(PROJECT_ROOT, absolute).split(sep).join('/');
}

/** The files `target` stands for: itself, or everything under it when it is a folder. */
function filesAt(target: string): string[] {
  if (!statSync(target, { throwIfNoEntry: false })?.isDirectory()) return [target];
  return readdirSync(target, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('runtime files in dist/', () => {
  const sources = readBuildConfig().fileNames;

  it('copies every file the compiled code reads beside itself', () => {
    const read = sources.flatMap((source) =>
      [...readFileSync(source, 'utf8').matchAll(BESIDE_ITSELF)].flatMap((match) => {
        const target = join(dirname(source), match[2] ?? '');
        // The project root, or a folder above it, is where paths start, not a file that is read.
        if (projectPath(target) === '' || projectPath(target).startsWith('..')) return [];
        return filesAt(target).map((file) => ({ source: projectPath(source), file: projectPath(file) }));
      }),
    );
    // Guards the scan itself: the SDL and migrations of every subgraph are read this way.
    expect(read.map(({ file }) => file)).toEqual(
      expect.arrayContaining(['subgraphs/accounts/schema.graphql', 'subgraphs/accounts/migrations/seed.sql', 'schema/supergraph.graphql']),
    );
    const compiled = new Set(sources.map(projectPath));
    const missing = read
      .filter(({ file }) => !isRuntimeAsset(file) && !compiled.has(file))
      .map(({ source, file }) => `${source} reads ${file}, which the build does not copy`);
    expect(missing).toEqual([]);
  });

  it('copies no test fixtures or templates', () => {
    expect(
      ['schema/testdata/registry.json', 'scripts/subgraph-template/schema.graphql.tmpl', 'subgraphs/accounts/email.test.ts'].filter(isRuntimeAsset),
    ).toEqual([]);
  });
});
