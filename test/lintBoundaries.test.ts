import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importBoundaries } from '../lint/importBoundaries.js';
import { PROJECT_ROOT } from '../scripts/system.js';

// The architecture's import rules live in eslint.config.js (lint/importBoundaries.js); these cases
// run the repository's own config on a snippet per import, so a rule that stops matching fails here.

const onlyBoundaries = ({ ruleId }: { ruleId: string }): boolean => ruleId.startsWith('boundaries/');
const repository = new ESLint({ cwd: PROJECT_ROOT, ruleFilter: onlyBoundaries });

/** The rules that refuse `source` as the text of `file` (a path in the repository), in order. */
async function refusals(eslint: ESLint, file: string, source: string): Promise<(string | null)[]> {
  const [result] = await eslint.lintText(source, { filePath: file });
  return (result?.messages ?? []).map((message) => message.ruleId);
}

const inRepository = (file: string, source: string): Promise<(string | null)[]> => refusals(repository, join(PROJECT_ROOT, file), source);

describe('the import boundaries eslint.config.js enforces', { timeout: 30_000 }, () => {
  // The first typed lint builds the TypeScript program of the whole tree; the cases after it reuse it.
  beforeAll(() => inRepository('gateway/src/config.ts', ''), 120_000);

  const GATEWAY = { name: 'the gateway', file: 'gateway/src/config.ts', rule: 'boundaries/no-imports-from' };
  const SUBGRAPH = { name: 'a subgraph', file: 'subgraphs/products/resolvers.ts', rule: 'boundaries/imports-only-from' };
  const KIT = { name: 'the kit', file: 'subgraphs/kit/server.ts', rule: 'boundaries/imports-only-from' };

  it.each([
    { folder: GATEWAY, what: 'a subgraph', source: "import { createServer } from '../../subgraphs/products/server.js';\nexport { createServer };" },
    { folder: GATEWAY, what: 'the kit, through a dynamic import', source: "export const load = () => import('../../subgraphs/kit/config.js');" },
    { folder: GATEWAY, what: 'a subgraph, re-exported', source: "export * from '../../subgraphs/reviews/db.js';" },
    { folder: GATEWAY, what: 'the pg driver', source: "import pg from 'pg';\nexport { pg };" },
    { folder: GATEWAY, what: 'a module of the pg driver', source: "export { Pool } from 'pg/lib/index.js';" },
    { folder: GATEWAY, what: 'the embedded database, for its types only', source: "export type Database = import('@electric-sql/pglite').PGlite;" },
    { folder: SUBGRAPH, what: 'another subgraph', source: "export { ordersByIds } from '../orders/db.js';" },
    { folder: SUBGRAPH, what: 'the gateway', source: "import { readGatewayConfig } from '../../gateway/src/config.js';\nexport { readGatewayConfig };" },
    { folder: SUBGRAPH, what: 'the schema tools', source: "export type { SubgraphEntry } from '../../schema/registry.js';" },
    { folder: KIT, what: 'a subgraph', source: "export { productsByUpcs } from '../products/db.js';" },
    { folder: KIT, what: 'the gateway', source: "export { ErrorCode } from '../../gateway/src/plugins/SupergateError.js';" },
  ])('$folder.name may not import $what', async ({ folder, source }) => {
    expect(await inRepository(folder.file, source)).toEqual([folder.rule]);
  });

  it.each([
    {
      folder: GATEWAY,
      what: 'lib and packages other than the drivers',
      source: "export { createLogger } from '../../lib/logger.js';\nexport { parse } from 'graphql';",
    },
    {
      folder: SUBGRAPH,
      what: 'itself, the kit, lib and packages',
      source: "export * from './context.js';\nexport * from '../kit/database.js';\nexport * from '../../lib/logger.js';\nexport { default as pg } from 'pg';",
    },
    { folder: KIT, what: 'itself and lib', source: "export * from './config.js';\nexport * from '../../lib/logger.js';" },
  ])('$folder.name may import $what', async ({ folder, source }) => {
    expect(await inRepository(folder.file, source)).toEqual([]);
  });

  describe('for a subgraph added after the config was written', () => {
    const root = mkdtempSync(join(tmpdir(), 'supergate-boundaries-'));
    for (const folder of ['subgraphs/kit', 'subgraphs/orders', 'subgraphs/warranty', 'lib']) mkdirSync(join(root, folder), { recursive: true });
    const scaffolded = new ESLint({
      cwd: root,
      overrideConfigFile: true,
      overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...importBoundaries(root)],
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it('refuses its imports of another subgraph and accepts its own, the kit and lib', async () => {
      const file = join(root, 'subgraphs/warranty/server.ts');
      expect(await refusals(scaffolded, file, "export * from '../orders/db.js';")).toEqual(['boundaries/imports-only-from']);
      expect(await refusals(scaffolded, file, "export * from './db.js';\nexport * from '../kit/server.js';\nexport * from '../../lib/logger.js';")).toEqual([]);
    });
  });
});
