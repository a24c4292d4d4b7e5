import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../scripts/system.js';

/** Every `env['NAME']` the processes read, outside tests. */
function variablesRead(): string[] {
  const names = new Set<string>();
  const visit = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        for (const match of readFileSync(path, 'utf8').matchAll(/env\['([A-Z][A-Z0-9_]*)'\]/g)) names.add(match[1]!);
      }
    }
  };
  for (const folder of ['gateway/src', 'lib', 'subgraphs/kit']) visit(join(PROJECT_ROOT, folder));
  return [...names].sort();
}

describe('the README configuration table', () => {
  it('documents every environment variable the gateway and the subgraphs read', () => {
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1));
    const documented = new Set([...table.matchAll(/^\| `([A-Z][A-Z0-9_<>]*)` \|/gm)].map((match) => match[1]!));
    expect(variablesRead().filter((name) => !documented.has(name))).toEqual([]);
  });
});
