import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import jwt from 'jsonwebtoken';
import { DEVELOPMENT_JWT_SECRET } from '../gateway/src/config.js';
import { commandLine, type CommandRun, parseArguments, parseInteger, runCommand } from './command.js';
import { formatEdgeChecks, measureEdgeChecks } from './edgeChecks.js';
import { measureTargets } from './measureTargets.js';
import { QUERIES, type BenchQuery } from './queries.js';
import { describeMachine, describeMachineLoad, formatGoals, formatSummary, formatTable, renderResults } from './report.js';
import { startSubgraphs } from './subgraphs.js';
import { BASELINE, GOALS, TARGETS, type Target } from './targets.js';

const RESULTS_PATH = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
const SHOP_SUPERGRAPH_PATH = new URL('../schema/supergraph.graphql', import.meta.url);

const USAGE = `npm run bench -- [options]

Starts the subgraphs once, then each gateway target in turn on a free port, checks it
answers every query like ${BASELINE}, and measures it with autocannon.

  --duration <s>      measured seconds per target and query (default 10)
  --warmup <s>        unmeasured seconds before each measurement (default 2)
  --connections <n>   concurrent connections (default 20)
  --only <names>      comma-separated targets (default all); ${BASELINE} always runs for the reference answers
  --queries <names>   comma-separated queries (default all)
  --write             also write the table to bench/RESULTS.md
  --help

targets:
${TARGETS.map((target) => `  ${target.name.padEnd(18)}${target.description}`).join('\n')}
queries:
${QUERIES.map((query) => `  ${query.name.padEnd(18)}${query.query}`).join('\n')}`;

interface BenchOptions {
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
  readonly targets: readonly Target[];
  readonly queries: readonly BenchQuery[];
  readonly write: boolean;
}

/** Parses the command line; throws an error naming the flag and what it expects. */
function parseOptions(args: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    options: {
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      connections: { type: 'string', default: '20' },
      only: { type: 'string' },
      queries: { type: 'string' },
      write: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  return {
    durationSeconds: parseInteger('--duration', values.duration, 1, 3600),
    warmupSeconds: parseInteger('--warmup', values.warmup, 0, 600),
    connections: parseInteger('--connections', values.connections, 1, 10_000),
    targets: pickByName('--only', values.only, TARGETS),
    queries: pickByName('--queries', values.queries, QUERIES),
    write: values.write,
  };
}

function pickByName<T extends { readonly name: string }>(flag: string, raw: string | undefined, all: readonly T[]): readonly T[] {
  if (raw === undefined) return all;
  const names = raw.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknown = names.filter((name) => !all.some((item) => item.name === name));
  if (names.length === 0 || unknown.length > 0) throw new Error(`${flag} takes names from ${all.map((item) => item.name).join(', ')}; got "${raw}"`);
  return all.filter((item) => names.includes(item.name));
}

async function main(args: readonly string[], { cleanup, interrupted }: CommandRun): Promise<number> {
  const options = parseArguments(args, parseOptions, USAGE);
  if (typeof options === 'number') return options;
  const selected = new Set(options.targets.map((target) => target.name));
  const runOrder = TARGETS.filter((target) => target.name === BASELINE || selected.has(target.name));
  const settings = `${options.connections} connections, ${options.durationSeconds} s measured after a ${options.warmupSeconds} s warm-up, one target at a time; autocannon runs in the bench process on the same machine`;
  const loadAtStart = describeMachineLoad();
  console.log(`machine: ${describeMachine()}; ${loadAtStart}\nload: ${settings}`);

  const childEnv = { NODE_ENV: 'development', HOST: '127.0.0.1' };
  const subgraphs = await startSubgraphs({ env: childEnv, cleanup, log: (line) => console.log(line), interrupted });

  const token = jwt.sign({ scope: '' }, DEVELOPMENT_JWT_SECRET, { algorithm: 'HS256', subject: 'u1', expiresIn: '12h' });
  const { rows, failures, skipped } = await measureTargets({
    targets: runOrder,
    referenceOnly: new Set(selected.has(BASELINE) ? [] : [BASELINE]),
    queries: options.queries,
    connections: options.connections,
    warmupSeconds: options.warmupSeconds,
    durationSeconds: options.durationSeconds,
    env: { ...childEnv, PORT: '0', ...subgraphs.gatewayEnv },
    headers: { authorization: `Bearer ${token}` },
    cleanup,
    log: (line) => console.log(line),
  });

  const edgeChecks = await measureEdgeChecks(SHOP_SUPERGRAPH_PATH);
  const loadAtEnd = describeMachineLoad('after');
  const measured = new Set(rows.map((row) => row.target));
  const notes = runOrder.filter((target) => measured.has(target.name)).flatMap((target) => (target.note === undefined ? [] : [target.note()]));
  console.log(`\n${formatTable(rows, BASELINE)}\n`);
  for (const line of formatSummary(rows, BASELINE)) console.log(line);
  for (const line of formatGoals(rows, GOALS)) console.log(line);
  for (const line of notes) console.log(`note: ${line}`);
  console.log(`\nedge checks in process (one core, nothing remembered between runs):\n${formatEdgeChecks(edgeChecks)}`);
  for (const line of skipped) console.log(`skipped ${line}`);
  for (const line of failures) console.error(`FAILED ${line}`);
  console.log(`machine at the end: ${loadAtEnd}`);
  if (options.write) {
    writeFileSync(RESULTS_PATH, renderResults(rows, BASELINE, { date: new Date(), command: commandLine('bench', 'bench/run.ts', args), settings, database: subgraphs.database, machineLoad: [loadAtStart, loadAtEnd], failures, skipped, goals: GOALS, notes, edgeChecks: formatEdgeChecks(edgeChecks) }));
    console.log(`wrote ${RESULTS_PATH}`);
  }
  return failures.length === 0 ? 0 : 1;
}

runCommand('bench', main);
