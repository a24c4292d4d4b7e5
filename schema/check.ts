import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { readAcceptedChanges } from './acceptedChanges.js';
import { checkSchema, formatSchemaCheck } from './checkSchema.js';
import { SUPERGRAPH_PATH, readRegistry } from './registry.js';

// npm run schema:check [-- --base <git-ref>]: composes the registered subgraphs and compares the result
// with the committed supergraph (or the one at <git-ref>, also read from SCHEMA_CHECK_BASE).
// Exits 1 on a composition error, a breaking change schema/accepted-changes.json does not accept,
// or a stale schema/supergraph.graphql.

const ROOT = dirname(dirname(SUPERGRAPH_PATH));
const SUPERGRAPH_FILE = relative(ROOT, SUPERGRAPH_PATH);

function main(): number {
  const { values } = parseArgs({ options: { base: { type: 'string' } } });
  const base = values.base ?? (process.env['SCHEMA_CHECK_BASE']?.trim() || undefined);
  const committedSdl = existsSync(SUPERGRAPH_PATH) ? readFileSync(SUPERGRAPH_PATH, 'utf8') : undefined;
  const baseSdl = base === undefined ? undefined : supergraphAt(base);
  const entries = readRegistry();
  const baselineName = base === undefined ? `the committed ${SUPERGRAPH_FILE}` : `${SUPERGRAPH_FILE} at ${base}`;
  console.log(`schema:check: composing ${entries.length} subgraphs (${entries.map((entry) => entry.name).join(', ')}) and comparing with ${baselineName}`);
  const report = checkSchema({ entries, committedSdl, baseSdl, acceptedChanges: readAcceptedChanges() });
  for (const line of formatSchemaCheck(report, { supergraphFile: SUPERGRAPH_FILE, baselineName })) console.log(line);
  return report.ok ? 0 : 1;
}

function supergraphAt(ref: string): string {
  try {
    return execFileSync('git', ['show', `${ref}:./${SUPERGRAPH_FILE}`], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`cannot read ${SUPERGRAPH_FILE} at ${ref}: ${stderr || (error instanceof Error ? error.message : String(error))}`);
  }
}

try {
  process.exitCode = main();
} catch (error) {
  console.error(`schema:check failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
