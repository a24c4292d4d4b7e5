import { appendFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import jwt from 'jsonwebtoken';
import { DEVELOPMENT_JWT_SECRET } from '../gateway/src/config.js';
import { commandLine, type CommandRun, parseArguments, parseInteger, runCommand } from './command.js';
import { startTargetProcess } from './processes.js';
import { QUERIES, requestBody } from './queries.js';
import { benchRedisUrl, redactedUrl, redisUnavailable } from './redis.js';
import { describeMachine, describeMachineLoad } from './report.js';
import { SoakTraffic, type KindCounts } from './SoakTraffic.js';
import { startSubgraphs } from './subgraphs.js';
import { SUPERGATE_ENTRY, SUPERGATE_ENV } from './targets.js';
import { ask, findProblem } from './verify.js';

const RESULTS_PATH = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
const USERS = 60;
const MUTATIONS_PER_MINUTE = 60;
/** RSS growth over the last half of the run, as a share of the first-minute RSS, below which it counts as levelled off. */
const LEVELLED_OFF_SHARE = 0.1;

const USAGE = `npm run soak -- [options]

Starts the subgraphs and one Supergate gateway (response cache on; Redis at BENCH_REDIS_URL,
default redis://127.0.0.1:6379, when it answers, else process memory) and sends mixed load
for a number of minutes, printing the gateway's RSS and heap at the start and after each minute.

  --minutes <n>       minutes of load (default 5, at least 2)
  --connections <n>   concurrent connections (default 20)
  --write             also append the figures to bench/RESULTS.md
  --help

The mix: 45% five-subgraph, 35% small (the bench queries), 10% one product by a random upc
(varying variables), 10% five-subgraph with cache-control: no-cache, each read as one of
users u1..u${USERS} in turn; plus ${MUTATIONS_PER_MINUTE} addReview mutations a minute, one user after another
(1 per user per minute; the field allows 5), half of them on products of the five-subgraph answer.`;

interface SoakOptions {
  readonly minutes: number;
  readonly connections: number;
  readonly write: boolean;
}

/** The gateway's memory at one moment. */
interface MemorySample {
  readonly rssMb: number | undefined;
  readonly heapUsedMb: number | undefined;
}

/** One minute of load and the memory after it; minute 0 is the idle gateway before any load. */
interface SoakMinute extends MemorySample {
  readonly minute: number;
  readonly load?: {
    readonly requestsPerSecond: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly non2xx: number;
    readonly errors: number;
    readonly graphqlErrors: number;
    readonly cacheHitShare: number | undefined;
  };
}

function parseOptions(args: readonly string[]): SoakOptions | 'help' {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    options: {
      minutes: { type: 'string', default: '5' },
      connections: { type: 'string', default: '20' },
      write: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  return {
    minutes: parseInteger('--minutes', values.minutes, 2, 1440),
    connections: parseInteger('--connections', values.connections, 1, 10_000),
    write: values.write,
  };
}

async function main(args: readonly string[], { cleanup, interrupted }: CommandRun): Promise<number> {
  const options = parseArguments(args, parseOptions, USAGE);
  if (typeof options === 'number') return options;
  const settings = `${options.connections} connections for ${options.minutes} min, one autocannon run per minute in the soak process on the same machine; mix: 45% five-subgraph, 35% small, 10% product by random upc, 10% five-subgraph with cache-control: no-cache, reads as users u1..u${USERS} in turn, plus ${MUTATIONS_PER_MINUTE} addReview a minute (1 per user per minute), half on products of the five-subgraph answer`;
  const loadAtStart = describeMachineLoad();
  console.log(`machine: ${describeMachine()}; ${loadAtStart}\nload: ${settings}`);

  const redisUrl = benchRedisUrl();
  const redisProblem = await redisUnavailable(redisUrl);
  const sharedState =
    redisProblem === undefined
      ? `RESPONSE_CACHE=on, REDIS_URL=${redactedUrl(redisUrl)} (cached answers and rate-limit counters in Redis)`
      : `RESPONSE_CACHE=on, no REDIS_URL: cached answers and rate-limit counters in process memory, because ${redisProblem}`;
  console.log(`gateway: ${sharedState}`);

  const childEnv = { NODE_ENV: 'development', HOST: '127.0.0.1' };
  const subgraphs = await startSubgraphs({ env: childEnv, cleanup, log: (line) => console.log(line), interrupted });
  const gateway = await startTargetProcess('gateway', SUPERGATE_ENTRY, {
    ...childEnv,
    PORT: '0',
    ...subgraphs.gatewayEnv,
    ...SUPERGATE_ENV,
    RESPONSE_CACHE: 'on',
    REDIS_URL: redisProblem === undefined ? redisUrl : '',
  });
  cleanup.add(() => gateway.stop());
  console.log(`gateway: listening on ${gateway.url} (pid ${gateway.pid})`);

  const tokens = Array.from({ length: USERS }, (_, index) =>
    jwt.sign({ scope: '' }, DEVELOPMENT_JWT_SECRET, { algorithm: 'HS256', subject: `u${index + 1}`, expiresIn: '24h' }),
  );
  const fiveSubgraph = requestBody(QUERIES.find((query) => query.name === 'five-subgraph')!);
  const first = await ask(gateway.url, fiveSubgraph, { authorization: `Bearer ${tokens[0]!}` });
  const problem = findProblem(first, undefined);
  if (problem !== undefined) {
    console.error(`FAILED the gateway does not answer five-subgraph: ${problem}\n${gateway.recentOutput()}`);
    return 1;
  }
  const traffic = new SoakTraffic({ tokens, hotUpcs: topProductUpcs(first.body), mutationsPerMinute: MUTATIONS_PER_MINUTE });
  const metricsUrl = new URL('/metrics', gateway.url).toString();
  const sample = async (): Promise<MemorySample> => ({ rssMb: gateway.rssMb(), heapUsedMb: await readHeapUsedMb(metricsUrl) });

  const minutes: SoakMinute[] = [{ minute: 0, ...(await sample()) }];
  console.log(`\n${formatMinute(minutes[0]!)}`);
  const totals = new Map<string, KindCounts[]>();
  for (let minute = 1; minute <= options.minutes && !interrupted(); minute += 1) {
    const result = await autocannon({ url: gateway.url, connections: options.connections, duration: 60, requests: [traffic.request()] });
    const counts = traffic.takeCounts();
    for (const [kind, kindCounts] of counts) totals.set(kind, [...(totals.get(kind) ?? []), kindCounts]);
    const answers = sum([...counts.values()].map((kind) => kind.answers));
    const hits = sum([...counts.values()].map((kind) => kind.cacheHits));
    const row: SoakMinute = {
      minute,
      ...(await sample()),
      load: {
        requestsPerSecond: result.requests.average,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors,
        graphqlErrors: sum([...counts.values()].map((kind) => kind.graphqlErrors)),
        cacheHitShare: answers === 0 ? undefined : hits / answers,
      },
    };
    minutes.push(row);
    console.log(formatMinute(row));
    if (row.rssMb === undefined) {
      console.error(`FAILED the gateway (pid ${gateway.pid}) is gone after minute ${minute}:\n${gateway.recentOutput()}`);
      break;
    }
  }

  const loadAtEnd = describeMachineLoad('after');
  const table = formatTable(minutes);
  const verdict = judge(minutes);
  const kinds = [...totals].map(([kind, stretches]) => describeKind(kind, stretches));
  console.log(`\n${table}\n\n${verdict}\n${kinds.join('\n')}\nmachine at the end: ${loadAtEnd}`);
  if (options.write) {
    const section = [
      '',
      '## Soak',
      '',
      `- date: ${new Date().toISOString()}`,
      `- machine: ${describeMachine()}`,
      `- command: \`${commandLine('soak', 'bench/soak.ts', args)}\``,
      `- load: ${settings}`,
      `- gateway: ${sharedState}; RATE_LIMIT_REQUESTS=${String(SUPERGATE_ENV['RATE_LIMIT_REQUESTS'])}, RATE_LIMIT_COST_PER_WINDOW=${String(SUPERGATE_ENV['RATE_LIMIT_COST_PER_WINDOW'])}; heap is nodejs_heap_size_used_bytes from its /metrics`,
      `- subgraphs: ${subgraphs.database}`,
      `- machine load: at start ${loadAtStart}; at end ${loadAtEnd}`,
      '',
      table,
      '',
      `- ${verdict}`,
      ...kinds.map((line) => `- ${line}`),
      '',
    ].join('\n');
    appendFileSync(RESULTS_PATH, existsSync(RESULTS_PATH) ? section : `# Benchmark results\n${section}`);
    console.log(`appended the soak figures to ${RESULTS_PATH}`);
  }
  const failed = minutes.length < options.minutes + 1 || minutes.some((row) => row.rssMb === undefined);
  return failed ? 1 : 0;
}

/** The upcs of the products in the five-subgraph answer, which the mutations review half of the time. */
function topProductUpcs(body: string): string[] {
  const products = (JSON.parse(body) as { data?: { topProducts?: { upc?: unknown }[] } }).data?.topProducts ?? [];
  return products.map((product) => product.upc).filter((upc): upc is string => typeof upc === 'string');
}

/** Heap in use from the gateway's Prometheus metrics; undefined when it does not say. */
async function readHeapUsedMb(metricsUrl: string): Promise<number | undefined> {
  try {
    const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) });
    const bytes = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})? (\S+)$/m.exec(await response.text())?.[1];
    return bytes === undefined || !Number.isFinite(Number(bytes)) ? undefined : Number(bytes) / 1024 / 1024;
  } catch {
    return undefined;
  }
}

/**
 * Whether RSS levelled off: its growth from the middle of the run to the end, as a
 * share of the RSS after the first minute, under the threshold. Facts only.
 */
function judge(minutes: readonly SoakMinute[]): string {
  const last = minutes.at(-1)!;
  const middle = minutes[Math.floor(last.minute / 2)];
  const firstMinute = minutes[1];
  if (last.minute < 2 || middle?.rssMb === undefined || firstMinute?.rssMb === undefined || last.rssMb === undefined) {
    return 'verdict: not judged (fewer than 2 minutes with an RSS reading)';
  }
  const growth = last.rssMb - middle.rssMb;
  const share = growth / firstMinute.rssMb;
  const heap =
    middle.heapUsedMb !== undefined && last.heapUsedMb !== undefined
      ? `; heap used went from ${mb(middle.heapUsedMb)} to ${mb(last.heapUsedMb)} MB over the same minutes`
      : '; heap not read';
  const peak = Math.max(...minutes.map((row) => row.rssMb ?? 0));
  return `verdict: RSS levelled off: ${share < LEVELLED_OFF_SHARE ? 'yes' : 'no'}. From minute ${middle.minute} to minute ${last.minute} it went from ${mb(middle.rssMb)} to ${mb(last.rssMb)} MB (${growth >= 0 ? '+' : ''}${mb(growth)} MB), ${(share * 100).toFixed(1)}% of the first-minute RSS (${mb(firstMinute.rssMb)} MB); the threshold is ${LEVELLED_OFF_SHARE * 100}%. Peak RSS ${mb(peak)} MB${heap}`;
}

function describeKind(kind: string, stretches: readonly KindCounts[]): string {
  const answers = sum(stretches.map((counts) => counts.answers));
  const ok = sum(stretches.map((counts) => counts.ok));
  const graphqlErrors = sum(stretches.map((counts) => counts.graphqlErrors));
  const hits = sum(stretches.map((counts) => counts.cacheHits));
  const statuses = new Map<string, number>();
  for (const counts of stretches) for (const [status, count] of Object.entries(counts.otherStatuses)) statuses.set(status, (statuses.get(status) ?? 0) + count);
  const samples = [...new Set(stretches.flatMap((counts) => counts.sampleErrors))].slice(0, 3);
  const otherStatuses = statuses.size === 0 ? 'no other status' : [...statuses].map(([status, count]) => `${count} HTTP ${status}`).join(', ');
  const hitShare = answers === 0 ? 'n/a' : `${((hits / answers) * 100).toFixed(1)}%`;
  return `${kind}: ${answers} answers, ${ok} HTTP 200 without errors, ${graphqlErrors} HTTP 200 with GraphQL errors, ${otherStatuses}; x-cache HIT ${hitShare}${samples.length === 0 ? '' : `; errors seen: ${samples.join(' | ')}`}`;
}

function formatMinute(row: SoakMinute): string {
  const memory = `RSS ${row.rssMb === undefined ? 'n/a' : mb(row.rssMb)} MB, heap used ${row.heapUsedMb === undefined ? 'n/a' : mb(row.heapUsedMb)} MB`;
  if (row.load === undefined) return `minute ${row.minute} (idle, before load): ${memory}`;
  const { requestsPerSecond, p50Ms, p99Ms, non2xx, errors, graphqlErrors, cacheHitShare } = row.load;
  return `minute ${row.minute}: ${requestsPerSecond.toFixed(0)} req/s, p50 ${p50Ms} ms, p99 ${p99Ms} ms, non-2xx ${non2xx}, connection errors ${errors}, GraphQL errors ${graphqlErrors}, x-cache HIT ${formatShare(cacheHitShare)}; ${memory}`;
}

function formatTable(minutes: readonly SoakMinute[]): string {
  const header = ['minute', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'conn errors', 'GraphQL errors', 'x-cache HIT', 'RSS MB', 'heap used MB'];
  const cells = minutes.map((row) => [
    row.load === undefined ? `${row.minute} (idle)` : String(row.minute),
    row.load?.requestsPerSecond.toFixed(0) ?? '-',
    row.load?.p50Ms.toFixed(1) ?? '-',
    row.load?.p99Ms.toFixed(1) ?? '-',
    row.load === undefined ? '-' : String(row.load.non2xx),
    row.load === undefined ? '-' : String(row.load.errors),
    row.load === undefined ? '-' : String(row.load.graphqlErrors),
    row.load === undefined ? '-' : formatShare(row.load.cacheHitShare),
    row.rssMb === undefined ? 'n/a' : mb(row.rssMb),
    row.heapUsedMb === undefined ? 'n/a' : mb(row.heapUsedMb),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column]!.length)));
  const format = (line: readonly string[]): string =>
    `| ${line.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (column === 0 ? '-'.repeat(width + 2) : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  return [format(header), rule, ...cells.map(format)].join('\n');
}

function formatShare(share: number | undefined): string {
  return share === undefined ? 'n/a' : `${(share * 100).toFixed(1)}%`;
}

function mb(value: number): string {
  return value.toFixed(0);
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

runCommand('soak', main);
