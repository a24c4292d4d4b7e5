import { fileURLToPath } from 'node:url';
import { HIVE_GATEWAY_VERSION, HIVE_ROUTER_RUNTIME_VERSION, installHiveGateway } from '../installHiveGateway.js';
import { GATEWAY_TOKEN_SWITCH } from '../targets/switches.js';
import { SUPERGATE_ENTRY, SUPERGATE_ENV } from '../targets.js';

/** One row of the table: what the gateways are asked and how they are configured for it. */
export interface BenchmarkRow {
  readonly name: 'dedup-on' | 'dedup-off' | 'varied';
  readonly description: string;
  /** Whether the gateways run with their public benchmark configuration's deduplication, or with all of it off. */
  readonly deduplication: boolean;
  /** `fixed`: TestQuery on every request, over the benchmark's data. `varied`: a different variable set on each request, over the generated data. */
  readonly traffic: 'fixed' | 'varied';
}

export const BENCHMARK_ROWS: readonly BenchmarkRow[] = [
  {
    name: 'dedup-on',
    description: "TestQuery over the benchmark's data; each gateway as the public benchmark configures it",
    deduplication: true,
    traffic: 'fixed',
  },
  {
    name: 'dedup-off',
    description: "TestQuery over the benchmark's data; every gateway's deduplication (and Supergate's response cache) off",
    deduplication: false,
    traffic: 'fixed',
  },
  {
    name: 'varied',
    description: 'a different user(id) and topProducts(first) on each request over 10,000 generated users and products; deduplication and response cache off',
    deduplication: false,
    traffic: 'varied',
  },
];

/** A gateway the workload measures, with its settings for a row. */
export interface BenchmarkTarget {
  readonly name: string;
  readonly description: string;
  /** Script run with `node --import tsx`; it prints `listening on <url>` once it serves. */
  readonly entry: string;
  /** Environment for a row, on top of `SUPERGRAPH_PATH`, `SUBGRAPH_<NAME>_URL`, `HOST` and `PORT=0`. */
  readonly env: (row: BenchmarkRow) => Readonly<Record<string, string>>;
  /** The settings `env` stands for, for the table. */
  readonly settings: (row: BenchmarkRow) => string;
  /** Why it cannot run on this machine; may first install what it needs. @default always runs */
  readonly unavailable?: (log: (line: string) => void) => Promise<string | undefined>;
}

export const BENCHMARK_BASELINE = 'stock';

const onOff = (on: boolean): 'on' | 'off' => (on ? 'on' : 'off');

/** Hive Gateway's upstream deduplication is on by default; the public config turns inbound deduplication on as well. */
function hiveEnv(row: BenchmarkRow, extra: Readonly<Record<string, string>>): Record<string, string> {
  return {
    [GATEWAY_TOKEN_SWITCH]: 'off',
    HIVE_INBOUND_DEDUPLICATION: onOff(row.deduplication),
    HIVE_UPSTREAM_DEDUPLICATION: onOff(row.deduplication),
    ...extra,
  };
}

function hiveSettings(row: BenchmarkRow, extra: string): string {
  return `inboundInflightRequestDeduplication ${String(row.deduplication)}, transport deduplicateInflightRequests ${String(row.deduplication)}${extra}`;
}

/**
 * The deep query's estimated cost is about 100,000, over the 50,000 default; the cost
 * budget (at most 1,000,000,000 per window) holds 10,000 such requests, so the window is
 * one second. Every other edge check stays at its default.
 */
const SUPERGATE_BENCHMARK_ENV: Readonly<Record<string, string>> = {
  ...SUPERGATE_ENV,
  QUERY_MAX_COST: '1000000',
  RATE_LIMIT_REQUESTS: '1000000000',
  RATE_LIMIT_COST_PER_WINDOW: '1000000000',
  RATE_LIMIT_WINDOW_SECONDS: '1',
};

/** In run order for odd rounds, reversed for even ones; the baseline answers first in round one. */
export const BENCHMARK_TARGETS: readonly BenchmarkTarget[] = [
  {
    name: BENCHMARK_BASELINE,
    description: 'stock @apollo/gateway in @apollo/server standalone, default options, as the public benchmark runs it (it has no deduplication to turn off)',
    entry: fileURLToPath(new URL('../targets/stockGateway.ts', import.meta.url)),
    env: () => ({ [GATEWAY_TOKEN_SWITCH]: 'off' }),
    settings: () => 'defaults',
  },
  {
    name: 'hive',
    description: `Hive Gateway ${HIVE_GATEWAY_VERSION} (JS query planner) with the public benchmark's gateway.config.ts and --jit`,
    entry: fileURLToPath(new URL('../targets/hiveGateway.ts', import.meta.url)),
    env: (row) => hiveEnv(row, { HIVE_JIT: 'on' }),
    settings: (row) => hiveSettings(row, ', jit (graphql-jit) on'),
    unavailable: (log) => installHiveGateway(log),
  },
  {
    name: 'hive-router-runtime',
    description: `Hive Gateway ${HIVE_GATEWAY_VERSION} with @graphql-hive/router-runtime ${HIVE_ROUTER_RUNTIME_VERSION} (the Rust query planner) as unifiedGraphHandler, as the public benchmark configures it`,
    entry: fileURLToPath(new URL('../targets/hiveGateway.ts', import.meta.url)),
    env: (row) => hiveEnv(row, { HIVE_ROUTER_RUNTIME: 'on' }),
    settings: (row) => hiveSettings(row, ', unifiedGraphHandler from router-runtime'),
    unavailable: (log) => installHiveGateway(log),
  },
  {
    name: 'supergate',
    description:
      'the real gateway process (gateway/src/index.ts), GATEWAY_WORKERS=1, every edge check on; cost limit and rate-limit budgets raised above the load',
    entry: SUPERGATE_ENTRY,
    env: (row) => ({
      ...SUPERGATE_BENCHMARK_ENV,
      OPERATION_DEDUPLICATION: onOff(row.deduplication),
      SUBGRAPH_DEDUPLICATION: onOff(row.deduplication),
      RESPONSE_CACHE: onOff(row.deduplication),
    }),
    settings: (row) =>
      `OPERATION_DEDUPLICATION=${onOff(row.deduplication)}, SUBGRAPH_DEDUPLICATION=${onOff(row.deduplication)}, RESPONSE_CACHE=${onOff(row.deduplication)}${row.deduplication ? ' (in memory; all defaults)' : ''}, QUERY_MAX_COST=1000000, RATE_LIMIT_REQUESTS=1000000000, RATE_LIMIT_COST_PER_WINDOW=1000000000, RATE_LIMIT_WINDOW_SECONDS=1`,
  },
];
