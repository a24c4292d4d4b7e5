import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import jwt from 'jsonwebtoken';
import { DEVELOPMENT_JWT_SECRET } from '../gateway/src/config.js';
import { commandLine, type CommandRun, parseArguments, parseInteger, runCommand } from './command.js';
import { detectPinning, pinThisProcess, type CpuPinning } from './cpuPinning.js';
import { formatEdgeChecks, measureEdgeChecks } from './edgeChecks.js';
import { BENCHMARK_BASELINE, BENCHMARK_ROWS, BENCHMARK_TARGETS, type BenchmarkRow, type BenchmarkTarget } from './gatewaysBenchmark/benchmarkTargets.js';
import {
  CHART_FILE,
  formatBenchmarkSettings,
  formatBenchmarkTable,
  renderBenchmarkChart,
  renderBenchmarkSection,
} from './gatewaysBenchmark/benchmarkReport.js';
import { runGatewaysBenchmark } from './gatewaysBenchmark/workload.js';
import { measureTargets } from './measureTargets.js';
import { QUERIES, type BenchQuery } from './queries.js';
import { describeMachine, describeMachineLoad, formatGoals, formatSummary, formatTable, renderResults } from './report.js';
import { startSubgraphs } from './subgraphs.js';
import { renderSubscriptionsSection, formatSubscriptionsTable, replaceSection } from './subscriptions/subscriptionsReport.js';
import { SUBSCRIPTION_TARGETS, type SubscriptionTarget } from './subscriptions/subscriptionTargets.js';
import { runSubscriptions } from './subscriptions/workload.js';
import { BASELINE, GOALS, TARGETS, type Target } from './targets.js';

const RESULTS_PATH = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
const SHOP_SUPERGRAPH_PATH = new URL('../schema/supergraph.graphql', import.meta.url);

const WORKLOADS = ['shop', 'gateways-benchmark', 'subscriptions'] as const;
type Workload = (typeof WORKLOADS)[number];

/** addReview mutations a second in the subscriptions workload, each an event for every subscriber. */
const DEFAULT_RATE = 1;

const USAGE = `npm run bench -- [options]

shop: starts the shop's subgraphs once, then each gateway target in turn on a free port,
checks it answers every query like ${BASELINE}, and measures it with autocannon.
gateways-benchmark: the public graphql-gateways-benchmark's subgraphs, data and TestQuery;
each row measured --rounds times per target, alternating the order, every answer checked
against ${BENCHMARK_BASELINE}'s byte for byte (keys sorted).
subscriptions: the shop's subgraphs once, then each target holding --subscribers graphql-ws
subscriptions to reviewAdded (joined from accounts, products and inventory) while addReview
goes straight to the reviews subgraph at --rate a second; every event checked and timed.

  --workload <names>  comma-separated: ${WORKLOADS.join(', ')} (default all)
  --duration <s>      measured seconds per target and query (default 10)
  --warmup <s>        unmeasured seconds before each measurement (default 2)
  --connections <n>   concurrent connections (default 20 for shop, 50 for gateways-benchmark)
  --only <names>      comma-separated targets of either workload (default all); the baseline always runs for the reference answers
  --queries <names>   comma-separated shop queries (default all)
  --rows <names>      comma-separated gateways-benchmark rows (default all)
  --rounds <n>        gateways-benchmark measurements per row and target (default 2)
  --subscribers <n>   subscriptions workload: subscribers on each gateway (default 1000)
  --per-connection <n> subscriptions workload: subscriptions per WebSocket (default 1)
  --callers <n>       subscriptions workload: distinct users the connections sign in as, in turn (default 1)
  --rate <n>          subscriptions workload: addReview mutations a second (default ${DEFAULT_RATE})
  --write             also write the tables to bench/RESULTS.md (and the chart to bench/${CHART_FILE})
  --help

shop targets:
${TARGETS.map((target) => `  ${target.name.padEnd(20)}${target.description}`).join('\n')}
shop queries:
${QUERIES.map((query) => `  ${query.name.padEnd(20)}${query.query}`).join('\n')}
gateways-benchmark targets:
${BENCHMARK_TARGETS.map((target) => `  ${target.name.padEnd(20)}${target.description}`).join('\n')}
gateways-benchmark rows:
${BENCHMARK_ROWS.map((row) => `  ${row.name.padEnd(20)}${row.description}`).join('\n')}
subscriptions targets:
${SUBSCRIPTION_TARGETS.map((target) => `  ${target.name.padEnd(20)}${target.description}`).join('\n')}`;

interface BenchOptions {
  readonly workloads: readonly Workload[];
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  /** Undefined: each workload's own default. */
  readonly connections: number | undefined;
  readonly targets: readonly Target[];
  readonly queries: readonly BenchQuery[];
  readonly benchmarkTargets: readonly BenchmarkTarget[];
  readonly rows: readonly BenchmarkRow[];
  readonly rounds: number;
  readonly subscriptionTargets: readonly SubscriptionTarget[];
  readonly subscribers: number;
  readonly perConnection: number;
  readonly callers: number;
  readonly rate: number;
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
      workload: { type: 'string' },
      connections: { type: 'string' },
      only: { type: 'string' },
      queries: { type: 'string' },
      rows: { type: 'string' },
      rounds: { type: 'string', default: '2' },
      subscribers: { type: 'string', default: '1000' },
      'per-connection': { type: 'string', default: '1' },
      callers: { type: 'string', default: '1' },
      rate: { type: 'string', default: String(DEFAULT_RATE) },
      write: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const workloads = pickByName(
    '--workload',
    values.workload,
    WORKLOADS.map((name) => ({ name })),
  ).map(({ name }) => name);
  const only =
    values.only === undefined
      ? undefined
      : pickByName('--only', values.only, [...TARGETS, ...BENCHMARK_TARGETS, ...SUBSCRIPTION_TARGETS]).map((target) => target.name);
  return {
    workloads,
    durationSeconds: parseInteger('--duration', values.duration, 1, 3600),
    warmupSeconds: parseInteger('--warmup', values.warmup, 0, 600),
    connections: values.connections === undefined ? undefined : parseInteger('--connections', values.connections, 1, 10_000),
    targets: only === undefined ? TARGETS : TARGETS.filter((target) => only.includes(target.name)),
    queries: pickByName('--queries', values.queries, QUERIES),
    benchmarkTargets:
      only === undefined ? BENCHMARK_TARGETS : BENCHMARK_TARGETS.filter((target) => target.name === BENCHMARK_BASELINE || only.includes(target.name)),
    rows: pickByName('--rows', values.rows, BENCHMARK_ROWS),
    rounds: parseInteger('--rounds', values.rounds, 1, 20),
    subscriptionTargets: only === undefined ? SUBSCRIPTION_TARGETS : SUBSCRIPTION_TARGETS.filter((target) => only.includes(target.name)),
    subscribers: parseInteger('--subscribers', values.subscribers, 1, 100_000),
    perConnection: parseInteger('--per-connection', values['per-connection'], 1, 100),
    callers: parseInteger('--callers', values.callers, 1, 100_000),
    rate: parseInteger('--rate', values.rate, 1, 1_000),
    write: values.write,
  };
}

function pickByName<T extends { readonly name: string }>(flag: string, raw: string | undefined, all: readonly T[]): readonly T[] {
  if (raw === undefined) return all;
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => !all.some((item) => item.name === name));
  if (names.length === 0 || unknown.length > 0) throw new Error(`${flag} takes names from ${all.map((item) => item.name).join(', ')}; got "${raw}"`);
  return all.filter((item) => names.includes(item.name));
}

async function main(args: readonly string[], run: CommandRun): Promise<number> {
  const options = parseArguments(args, parseOptions, USAGE);
  if (typeof options === 'number') return options;
  const { pinning, reason: pinned } = detectPinning();
  if (pinning !== undefined) pinThisProcess(pinning.loadCpu);
  const loadAtStart = describeMachineLoad();
  console.log(`machine: ${describeMachine()}; ${loadAtStart}; ${pinned}`);
  const command = commandLine('bench', 'bench/run.ts', args);

  const sections: string[] = [];
  let failed = false;
  if (options.workloads.includes('shop')) {
    const shop = await runShop(options, run, { command, loadAtStart, pinned, gatewayCpu: pinning?.gatewayCpu });
    sections.push(shop.results);
    failed ||= shop.failed;
  }
  if (options.workloads.includes('gateways-benchmark')) {
    const benchmark = await runBenchmark(options, run, pinning, pinned);
    if (sections.length === 0) sections.push(resultsHeader(command, loadAtStart));
    sections.push(benchmark.results);
    failed ||= benchmark.failed;
    if (options.write) {
      writeFileSync(join(dirname(RESULTS_PATH), CHART_FILE), benchmark.chart);
      console.log(`wrote ${join(dirname(RESULTS_PATH), CHART_FILE)}`);
    }
  }
  let subscriptionsSection: string | undefined;
  if (options.workloads.includes('subscriptions')) {
    const subscriptions = await runSubscriptionsWorkload(options, run, pinning, { command, loadAtStart, pinned });
    subscriptionsSection = subscriptions.results;
    failed ||= subscriptions.failed;
  }
  if (options.write) {
    if (sections.length > 0) writeFileSync(RESULTS_PATH, [...sections, ...(subscriptionsSection === undefined ? [] : [subscriptionsSection])].join('\n'));
    else if (subscriptionsSection !== undefined) {
      // This workload alone: its section replaces the last one, and every other figure stays as it was.
      const existing = existsSync(RESULTS_PATH) ? readFileSync(RESULTS_PATH, 'utf8') : resultsHeader(command, loadAtStart);
      writeFileSync(RESULTS_PATH, replaceSection(existing, subscriptionsSection));
    }
    console.log(`wrote ${RESULTS_PATH}`);
  }
  return failed ? 1 : 0;
}

/** The start of RESULTS.md when the shop workload, which writes its own, did not run. */
function resultsHeader(command: string, loadAtStart: string): string {
  return [
    '# Benchmark results',
    '',
    'Written by `npm run bench -- --write`; each run replaces this file.',
    '',
    `- date: ${new Date().toISOString()}`,
    `- machine: ${describeMachine()}`,
    `- command: \`${command}\``,
    `- machine load at start: ${loadAtStart}`,
    '',
  ].join('\n');
}

async function runShop(
  options: BenchOptions,
  { cleanup, interrupted }: CommandRun,
  run: { command: string; loadAtStart: string; pinned: string; gatewayCpu: number | undefined },
): Promise<{ results: string; failed: boolean }> {
  const selected = new Set(options.targets.map((target) => target.name));
  const runOrder = TARGETS.filter((target) => target.name === BASELINE || selected.has(target.name));
  const connections = options.connections ?? 20;
  const settings = `${connections} connections, ${options.durationSeconds} s measured after a ${options.warmupSeconds} s warm-up, one target at a time; autocannon runs in the bench process on the same machine; ${run.pinned}`;
  console.log(`shop load: ${settings}`);

  const childEnv = { NODE_ENV: 'development', HOST: '127.0.0.1' };
  const subgraphs = await startSubgraphs({ env: childEnv, cleanup, log: (line) => console.log(line), interrupted });

  const token = jwt.sign({ scope: '' }, DEVELOPMENT_JWT_SECRET, { algorithm: 'HS256', subject: 'u1', expiresIn: '12h' });
  const { rows, failures, skipped } = await measureTargets({
    targets: runOrder,
    referenceOnly: new Set(selected.has(BASELINE) ? [] : [BASELINE]),
    queries: options.queries,
    connections,
    warmupSeconds: options.warmupSeconds,
    durationSeconds: options.durationSeconds,
    env: { ...childEnv, PORT: '0', ...subgraphs.gatewayEnv },
    headers: { authorization: `Bearer ${token}` },
    gatewayCpu: run.gatewayCpu,
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
  const results = renderResults(rows, BASELINE, {
    date: new Date(),
    command: run.command,
    settings,
    database: subgraphs.database,
    machineLoad: [run.loadAtStart, loadAtEnd],
    failures,
    skipped,
    goals: GOALS,
    notes,
    edgeChecks: formatEdgeChecks(edgeChecks),
  });
  return { results, failed: failures.length > 0 };
}

async function runBenchmark(
  options: BenchOptions,
  { cleanup }: CommandRun,
  pinning: CpuPinning | undefined,
  pinned: string,
): Promise<{ results: string; chart: string; failed: boolean }> {
  const connections = options.connections ?? 50;
  const settings = `${connections} connections, ${options.durationSeconds} s measured after a ${options.warmupSeconds} s warm-up, ${options.rounds} round(s) per row and target (order reversed every other round), one gateway at a time; no authorization header, as in the public benchmark's k6 script; ${pinned}`;
  console.log(`\ngateways-benchmark load: ${settings}`);
  const { measurements, failures, skipped } = await runGatewaysBenchmark({
    targets: options.benchmarkTargets,
    rows: options.rows,
    rounds: options.rounds,
    connections,
    warmupSeconds: options.warmupSeconds,
    durationSeconds: options.durationSeconds,
    pinning,
    cleanup,
    log: (line) => console.log(line),
  });
  console.log(`\n${formatBenchmarkTable(measurements, options.rows, BENCHMARK_BASELINE)}\n`);
  for (const line of formatBenchmarkSettings(options.rows, options.benchmarkTargets)) console.log(`settings: ${line}`);
  for (const line of skipped) console.log(`skipped ${line}`);
  for (const line of failures) console.error(`FAILED ${line}`);
  console.log(`machine at the end: ${describeMachineLoad('after')}`);
  return {
    results: renderBenchmarkSection({
      measurements,
      rows: options.rows,
      targets: options.benchmarkTargets,
      baseline: BENCHMARK_BASELINE,
      settings,
      failures,
      skipped,
    }),
    chart: renderBenchmarkChart(
      measurements,
      options.rows,
      options.benchmarkTargets.map((target) => target.name),
    ),
    failed: failures.length > 0,
  };
}

async function runSubscriptionsWorkload(
  options: BenchOptions,
  { cleanup, interrupted }: CommandRun,
  pinning: CpuPinning | undefined,
  run: { command: string; loadAtStart: string; pinned: string },
): Promise<{ results: string; failed: boolean }> {
  const load = { subscribers: options.subscribers, perConnection: options.perConnection };
  const connections = Math.ceil(options.subscribers / options.perConnection);
  const callers = options.callers === 1 ? 'all signed in as u1' : `signed in as u1..u${options.callers} in turn, connection by connection`;
  const settings = `${options.subscribers} subscribers on ${connections} graphql-ws connection(s) (${options.perConnection} subscription(s) each) from the bench process, ${callers}; addReview at ${options.rate}/s straight to the reviews subgraph as u1..u60 in turn (${options.rate * options.subscribers} events/s offered), ${options.durationSeconds} s measured after a ${options.warmupSeconds} s warm-up, one gateway at a time; ${run.pinned}`;
  console.log(`\nsubscriptions load: ${settings}`);
  const { measurements, failures, skipped, notes, database } = await runSubscriptions({
    targets: options.subscriptionTargets,
    ...load,
    callers: options.callers,
    rate: options.rate,
    warmupSeconds: options.warmupSeconds,
    durationSeconds: options.durationSeconds,
    pinning,
    cleanup,
    log: (line) => console.log(line),
    interrupted,
  });
  const loadAtEnd = describeMachineLoad('after');
  console.log(`\n${formatSubscriptionsTable(options.subscriptionTargets, measurements, [...failures, ...skipped])}\n`);
  for (const line of notes) console.log(`note: ${line}`);
  for (const line of skipped) console.log(`skipped ${line}`);
  for (const line of failures) console.error(`FAILED ${line}`);
  console.log(`machine at the end: ${loadAtEnd}`);
  return {
    results: renderSubscriptionsSection({
      callers: options.callers,
      targets: options.subscriptionTargets,
      measurements,
      load,
      settings,
      database,
      failures,
      skipped,
      notes,
      run: { date: new Date(), machine: describeMachine(), command: run.command, machineLoad: [run.loadAtStart, loadAtEnd] },
    }),
    failed: failures.length > 0,
  };
}

runCommand('bench', main);
