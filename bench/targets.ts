import { fileURLToPath } from 'node:url';
import { HIVE_GATEWAY_VERSION, installHiveGateway } from './installHiveGateway.js';
import { benchRedisUrl, redactedUrl, redisUnavailable } from './redis.js';
import type { Goal } from './report.js';

/** What a target may take from the run when it starts. */
export interface TargetContext {
  /** What an earlier target answered during verification: request body to response body. */
  answersOf(target: string): ReadonlyMap<string, string> | undefined;
}

/** One server the bench measures, run as its own process. */
export interface Target {
  readonly name: string;
  /** One line for `--help` and the README. */
  readonly description: string;
  /** Script run with `node --import tsx`; it prints `listening on <url>` once it serves. */
  readonly entry: string;
  /** Environment on top of the bench's (`PORT=0`, `HOST`, `SUBGRAPH_<NAME>_URL`). @default {} */
  readonly env?: (context: TargetContext) => Readonly<Record<string, string>>;
  /** Why it cannot run on this machine (a package or service missing); may first install what it needs. @default always runs */
  readonly unavailable?: (log: (line: string) => void) => Promise<string | undefined>;
  /** What a reader of the results needs to know about how it was run. @default none */
  readonly note?: () => string;
}

/** Every ratio is against this target; it always runs first, because its answers are the reference. */
export const BASELINE = 'stock';

/**
 * The edge checks run on every request; the limits are set far above what the bench
 * can send so that it measures their cost, not their refusals.
 */
export const SUPERGATE_ENV: Readonly<Record<string, string>> = {
  // Blank, so the gateway verifies with the development secret the bench signs its token with.
  JWT_SECRET: '',
  JWT_PUBLIC_KEY: '',
  JWKS_URL: '',
  JWT_ISSUER: '',
  JWT_AUDIENCE: '',
  RATE_LIMIT_REQUESTS: '100000000',
  RATE_LIMIT_COST_PER_WINDOW: '1000000000',
  // One process, whatever the caller's environment says, so its RSS is the gateway's.
  GATEWAY_WORKERS: '1',
  // Rate-limit counters in process memory, whatever the caller's environment says; a Redis-backed target sets its own.
  REDIS_URL: '',
  // Targets run side by side; a fixed metrics port would clash.
  METRICS_PORT: '0',
};

/** The real gateway process, as `npm start` runs it. */
export const SUPERGATE_ENTRY = fileURLToPath(new URL('../gateway/src/index.ts', import.meta.url));

/** Measured in this order; a target may serve what one before it answered. Adding a target is one entry. */
export const TARGETS: readonly Target[] = [
  {
    name: BASELINE,
    description: 'stock @apollo/gateway in @apollo/server standalone, default options, plus only the gateway token the subgraphs require',
    entry: benchScript('targets/stockGateway.ts'),
  },
  {
    name: 'hive',
    description: `Hive Gateway ${HIVE_GATEWAY_VERSION} (@graphql-hive/gateway runtime on node:http), default options, plus only the gateway token the subgraphs require; installed on first use into node_modules/.cache/supergate-bench/hive`,
    entry: benchScript('targets/hiveGateway.ts'),
    unavailable: (log) => installHiveGateway(log),
    note: () =>
      `hive: @graphql-hive/gateway ${HIVE_GATEWAY_VERSION}, createGatewayRuntime with default options (no caching, no plugins) on node:http; the gateway token is signed once at start with a 24 h lifetime and sent as a static transport header on every subgraph request. Its HTTP executor shares one upstream call among identical subgraph queries in flight at the same time (deduplicateInflightRequests, on by default); the bench sends one identical query on every connection, which that default favours`,
  },
  {
    name: 'supergate',
    description:
      'the real gateway process (gateway/src/index.ts) with RESPONSE_CACHE=off, QUERY_PLAN_EXECUTOR=stock and every edge check: the bearer token verified on each request, authorization, query and rate limits (set far above the load, counted in process memory)',
    entry: SUPERGATE_ENTRY,
    env: () => ({ ...SUPERGATE_ENV, RESPONSE_CACHE: 'off', QUERY_PLAN_EXECUTOR: 'stock' }),
  },
  {
    name: 'supergate-fast-executor',
    description:
      "the same gateway with QUERY_PLAN_EXECUTOR=fast: query plans run on Supergate's compiled executor instead of @apollo/gateway's executeQueryPlan",
    entry: SUPERGATE_ENTRY,
    env: () => ({ ...SUPERGATE_ENV, RESPONSE_CACHE: 'off', QUERY_PLAN_EXECUTOR: 'fast' }),
  },
  {
    name: 'supergate-cached',
    description:
      'the same gateway with RESPONSE_CACHE=on and REDIS_URL (BENCH_REDIS_URL, default redis://127.0.0.1:6379), so rate-limit counters and cached answers live in Redis as in production; the warm-up fills the cache',
    entry: SUPERGATE_ENTRY,
    env: () => ({ ...SUPERGATE_ENV, RESPONSE_CACHE: 'on', REDIS_URL: benchRedisUrl() }),
    unavailable: () => redisUnavailable(benchRedisUrl()),
    note: () =>
      `supergate-cached: response cache and rate-limit counters in Redis at ${redactedUrl(benchRedisUrl())}, which is not flushed first; the hit ratio counts the x-cache header of every answer in the measured run. five-subgraph includes inStock (5 s cache hint), so its cached answer expires every 5 s during the run and the next request goes to the subgraphs again (a MISS), as it would in production`,
  },
  {
    name: 'bare',
    description: "a bare node:http server replaying supergate's captured answer (stock's when supergate is not run): this machine's ceiling",
    entry: benchScript('targets/bareServer.ts'),
    env: (context) => ({ BARE_RESPONSES: JSON.stringify(Object.fromEntries(context.answersOf('supergate') ?? context.answersOf(BASELINE) ?? [])) }),
  },
];

/** The comparisons the summary states per query, each with its goal where there is one. */
export const GOALS: readonly Goal[] = [
  { target: 'supergate', against: BASELINE, metric: 'req/s', atLeast: 2 },
  { target: 'supergate', against: BASELINE, metric: 'p99', atMost: 0.5 },
  { target: 'supergate-cached', against: BASELINE, metric: 'req/s', atLeast: 10 },
  { target: 'supergate-cached', against: 'bare', metric: 'req/s', atLeast: 0.5 },
  { target: 'supergate', against: 'hive', metric: 'req/s' },
  { target: 'supergate', against: 'hive', metric: 'p99' },
  { target: 'supergate-fast-executor', against: 'supergate', metric: 'req/s' },
  { target: 'supergate-fast-executor', against: 'supergate', metric: 'p99' },
];

function benchScript(path: string): string {
  return fileURLToPath(new URL(path, import.meta.url));
}
