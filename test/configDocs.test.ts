import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileKeyOf, GATEWAY_VARIABLES, SUBGRAPH_URLS_KEY } from '../gateway/src/configFile/settingNames.js';
import { PROJECT_ROOT } from '../scripts/system.js';

/** Every `env['NAME']` a source file reads. */
function variablesIn(path: string): string[] {
  return [...readFileSync(path, 'utf8').matchAll(/env\['([A-Z][A-Z0-9_]*)'\]/g)].map((match) => match[1]!);
}

/** Every `env['NAME']` the processes read, outside tests. */
function variablesRead(): string[] {
  const names = new Set<string>();
  const visit = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) for (const name of variablesIn(path)) names.add(name);
    }
  };
  for (const folder of ['gateway/src', 'lib', 'subgraphs/kit']) visit(join(PROJECT_ROOT, folder));
  return [...names].sort();
}

/** The README configuration table's rows: variable → its config file key cell. */
function documentedRows(): Map<string, string> {
  const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1));
  return new Map([...table.matchAll(/^\| `([A-Z][A-Z0-9_<>]*)` \| ([^|]+) \|/gm)].map((match) => [match[1]!, match[2]!.trim()]));
}

/** The one variable the config file cannot hold: the one that names the file. */
const NAMES_THE_FILE = 'SUPERGATE_CONFIG';

describe('the README configuration table', () => {
  it('documents every environment variable the gateway and the subgraphs read', () => {
    const documented = documentedRows();
    expect(variablesRead().filter((name) => !documented.has(name))).toEqual([]);
  });

  it('the config file holds every setting the gateway reads from the environment, one key per variable', () => {
    const gatewayReads = new Set(variablesIn(join(PROJECT_ROOT, 'gateway/src/config.ts')));
    gatewayReads.delete(NAMES_THE_FILE);
    expect([...gatewayReads].sort()).toEqual([...GATEWAY_VARIABLES].sort());
  });

  it("gives each gateway setting's config file key next to its variable, and none to the subgraphs' own", () => {
    const documented = documentedRows();
    const gatewayVariables = new Set<string>(GATEWAY_VARIABLES);
    const expected = new Map(
      [...documented.keys()].map((variable) => {
        if (gatewayVariables.has(variable)) return [variable, `\`${fileKeyOf(variable)}\``];
        if (variable === 'SUBGRAPH_<NAME>_URL') return [variable, `\`${SUBGRAPH_URLS_KEY}.<name>\``];
        return [variable, '—'];
      }),
    );
    expect(documented).toEqual(expected);
    expect(GATEWAY_VARIABLES.filter((variable) => !documented.has(variable))).toEqual([]);
  });
});
