import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../scripts/system.js';

// The architecture's import rules, checked on every file so a violation fails CI.
const DATABASE_DRIVERS = ['pg', '@electric-sql/pglite'];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(PROJECT_ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(PROJECT_ROOT, join(entry.parentPath, entry.name)));
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(PROJECT_ROOT, file), 'utf8');
  return [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((match) => match[1] ?? match[2] ?? '');
}

function resolvesInto(file: string, specifier: string, folder: string): boolean {
  if (!specifier.startsWith('.')) return false;
  const target = relative(PROJECT_ROOT, join(PROJECT_ROOT, file, '..', specifier));
  return target === folder || target.startsWith(`${folder}/`);
}

describe('module boundaries', () => {
  it('the gateway never imports a subgraph or a database driver', () => {
    const violations = sourceFiles('gateway').flatMap((file) =>
      importsOf(file)
        .filter((specifier) => resolvesInto(file, specifier, 'subgraphs') || DATABASE_DRIVERS.includes(specifier))
        .map((specifier) => `${file} imports ${specifier}`),
    );
    expect(violations).toEqual([]);
  });

  it('a subgraph imports only itself, the kit and lib', () => {
    const services = readdirSync(join(PROJECT_ROOT, 'subgraphs')).filter((name) => name !== 'kit');
    const violations = services.flatMap((service) =>
      sourceFiles(`subgraphs/${service}`).flatMap((file) =>
        importsOf(file)
          .filter((specifier) => specifier.startsWith('.'))
          .filter((specifier) => !['subgraphs/' + service, 'subgraphs/kit', 'lib'].some((allowed) => resolvesInto(file, specifier, allowed)))
          .map((specifier) => `${file} imports ${specifier}`),
      ),
    );
    expect(violations).toEqual([]);
  });

  it('the kit imports no service and no gateway code', () => {
    const violations = sourceFiles('subgraphs/kit').flatMap((file) =>
      importsOf(file)
        .filter((specifier) => specifier.startsWith('.') && !['subgraphs/kit', 'lib'].some((allowed) => resolvesInto(file, specifier, allowed)))
        .map((specifier) => `${file} imports ${specifier}`),
    );
    expect(violations).toEqual([]);
  });
});
