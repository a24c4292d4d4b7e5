import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Cleanup } from '../Cleanup.js';
import type { CpuPinning } from '../cpuPinning.js';
import { measureLoad, type LoadResult } from '../load.js';
import { startTargetProcess, type TargetProcess } from '../processes.js';
import { ask, findProblem, type Answer } from '../verify.js';
import { BENCHMARK_BASELINE, type BenchmarkRow, type BenchmarkTarget } from './benchmarkTargets.js';
import { readGatewaysBenchmark } from './dataSet.js';
import { SUBGRAPH_NAMES } from './resolvers.js';
import { subgraphUrls, supergraphAt } from './supergraph.js';
import { VARIED_QUERY, variedVariables } from './variedTraffic.js';

/** Users in the generated data set; the varied traffic picks among them. */
const GENERATED_USERS = 10_000;
/** Distinct variable sets the varied traffic cycles through. */
const VARIED_BODIES = 5_000;
/** Variable sets whose answers are checked against the baseline's before each varied run. */
const VERIFIED_SAMPLE = 25;

export interface WorkloadOptions {
  readonly targets: readonly BenchmarkTarget[];
  readonly rows: readonly BenchmarkRow[];
  /** Each row is measured this many times per target, the target order reversed every other round. */
  readonly rounds: number;
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
  readonly pinning: CpuPinning | undefined;
  readonly cleanup: Cleanup;
  readonly log: (line: string) => void;
}

/** One target's run of one row in one round. */
export interface BenchmarkMeasurement {
  readonly row: string;
  readonly target: string;
  readonly round: number;
  readonly load: LoadResult;
  readonly rssMb: number | undefined;
}

export interface WorkloadResult {
  readonly measurements: BenchmarkMeasurement[];
  readonly failures: string[];
  readonly skipped: string[];
}

/** The request bodies of a row's traffic: TestQuery alone, or one per variable set. */
export function rowBodies(row: BenchmarkRow): string[] {
  if (row.traffic === 'fixed') return [JSON.stringify({ query: readGatewaysBenchmark().query, operationName: 'TestQuery' })];
  return variedVariables(VARIED_BODIES, { users: GENERATED_USERS }).map((variables) =>
    JSON.stringify({ query: VARIED_QUERY, operationName: 'VariedQuery', variables }),
  );
}

/** Bodies checked before a run: all of them, or an evenly spread sample of many. */
function sampleOf(bodies: readonly string[]): string[] {
  if (bodies.length <= VERIFIED_SAMPLE) return [...bodies];
  return Array.from({ length: VERIFIED_SAMPLE }, (_, index) => bodies[Math.floor((index * bodies.length) / VERIFIED_SAMPLE)]!);
}

/**
 * Runs the public gateway benchmark: starts its subgraphs (the benchmark's data and a
 * generated set), then for each round, row and target starts the gateway, checks its
 * answers equal the baseline's byte for byte (keys sorted), measures it and stops it.
 */
export async function runGatewaysBenchmark(options: WorkloadOptions): Promise<WorkloadResult> {
  const measurements: BenchmarkMeasurement[] = [];
  const failures: string[] = [];
  const skipped: string[] = [];
  const folder = mkdtempSync(join(tmpdir(), 'supergate-gateways-benchmark-'));
  options.cleanup.add(async () => rmSync(folder, { recursive: true, force: true }));

  const envByData = new Map<'benchmark' | 'generated', Record<string, string>>();
  for (const dataSet of new Set(options.rows.map((row) => (row.traffic === 'fixed' ? 'benchmark' : 'generated')))) {
    const subgraphs = await startTargetProcess(
      `${dataSet} subgraphs`,
      fileURLToPath(new URL('./subgraphsProcess.ts', import.meta.url)),
      { BENCH_DATA_SET: dataSet, PORT: '0', HOST: '127.0.0.1' },
      { cpu: options.pinning?.loadCpu },
    );
    options.cleanup.add(() => subgraphs.stop());
    const baseUrl = subgraphs.url;
    const supergraphPath = join(folder, `${dataSet}-supergraph.graphql`);
    writeFileSync(supergraphPath, supergraphAt(baseUrl));
    const urls = subgraphUrls(baseUrl);
    envByData.set(dataSet, {
      SUPERGRAPH_PATH: supergraphPath,
      ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`SUBGRAPH_${name.toUpperCase()}_URL`, urls[name]])),
    });
    options.log(`benchmark subgraphs (${dataSet} data): ${baseUrl}/{${SUBGRAPH_NAMES.join(',')}}, pid ${subgraphs.pid}`);
  }

  const available: BenchmarkTarget[] = [];
  for (const target of options.targets) {
    const unavailable = await target.unavailable?.(options.log);
    if (unavailable === undefined) available.push(target);
    else {
      skipped.push(`${target.name}: ${unavailable}`);
      options.log(`${target.name}: skipped, ${unavailable}`);
    }
  }

  const bodiesByRow = new Map(options.rows.map((row) => [row.name, rowBodies(row)]));
  /** The baseline's answers by row and body, from its first run of each row. */
  const reference = new Map<string, Map<string, Answer>>();
  const broken = new Set<string>();
  for (let round = 1; round <= options.rounds; round += 1) {
    const order = round % 2 === 1 ? available : [...available].reverse();
    for (const row of options.rows) {
      const bodies = bodiesByRow.get(row.name)!;
      for (const target of order) {
        const key = `${target.name} / ${row.name}`;
        if (broken.has(key)) continue;
        const label = `${key} / round ${round}`;
        const env = {
          HOST: '127.0.0.1',
          PORT: '0',
          NODE_ENV: 'development',
          ...envByData.get(row.traffic === 'fixed' ? 'benchmark' : 'generated'),
          ...target.env(row),
        };
        let running: TargetProcess;
        try {
          running = await startTargetProcess(target.name, target.entry, env, { cpu: options.pinning?.gatewayCpu });
        } catch (error) {
          broken.add(key);
          failures.push(`${key}: did not start: ${error instanceof Error ? error.message : String(error)}`);
          options.log(`FAILED ${String(failures.at(-1))}`);
          continue;
        }
        const stop = options.cleanup.add(() => running.stop());
        try {
          const verified = await verify(target, row, running, sampleOf(bodies), reference);
          if (typeof verified !== 'string') {
            const { problem } = verified;
            broken.add(key);
            failures.push(`${key}: wrong answer, not measured: ${problem}`);
            await new Promise((resolve) => setTimeout(resolve, 250));
            options.log(`FAILED ${String(failures.at(-1))}\n  last output of ${target.name}:\n${running.recentOutput().replace(/^/gm, '    ')}`);
            continue;
          }
          options.log(
            `${label}: answers like ${BENCHMARK_BASELINE}; ${options.warmupSeconds} s warm-up, ${options.durationSeconds} s measured on ${options.connections} connections`,
          );
          // Its own bytes: gateways may order keys differently, which verification already allowed for.
          const expectBody = bodies.length === 1 ? verified : undefined;
          const load = await measureLoad({
            url: running.url,
            body: bodies,
            headers: {},
            connections: options.connections,
            warmupSeconds: options.warmupSeconds,
            durationSeconds: options.durationSeconds,
            ...(expectBody === undefined ? {} : { expectBody }),
          });
          measurements.push({ row: row.name, target: target.name, round, load, rssMb: running.rssMb() });
          options.log(`${label}: ${load.requestsPerSecond.toFixed(0)} req/s, p99 ${load.p99Ms.toFixed(1)} ms, ${load.non2xx} non-2xx, ${load.errors} errors`);
        } finally {
          await stop();
        }
      }
    }
  }
  return { measurements, failures, skipped };
}

/**
 * Checks the sample against the baseline's answers (recording them when `target` is the
 * baseline): the first problem, or the target's own answer to the first body.
 */
async function verify(
  target: BenchmarkTarget,
  row: BenchmarkRow,
  running: TargetProcess,
  sample: readonly string[],
  reference: Map<string, Map<string, Answer>>,
): Promise<string | { problem: string }> {
  const isBaseline = target.name === BENCHMARK_BASELINE;
  let expected = reference.get(row.name);
  if (expected === undefined) {
    if (!isBaseline) return { problem: `${BENCHMARK_BASELINE} has no verified answers for ${row.name}` };
    reference.set(row.name, (expected = new Map<string, Answer>()));
  }
  let first: string | undefined;
  for (const body of sample) {
    const answer = await ask(running.url, body, {}).catch((error: unknown): Answer => ({
      status: 0,
      body: `request failed: ${error instanceof Error ? error.message : String(error)}`,
    }));
    const known = expected.get(body);
    if (!isBaseline && known === undefined) return { problem: `${BENCHMARK_BASELINE} did not answer ${body.slice(0, 120)}` };
    const problem = findProblem(answer, known, 'whole body');
    if (problem !== undefined) return { problem: `${body.length > 200 ? `${body.slice(0, 200)}...` : body}: ${problem}` };
    if (known === undefined) expected.set(body, answer);
    first ??= answer.body;
  }
  return first ?? { problem: 'no request to verify' };
}
