import { fileURLToPath } from 'node:url';

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
  /** Why it cannot run on this machine (a package or service missing). @default always runs */
  readonly unavailable?: () => string | undefined;
}

/** Every ratio is against this target; it always runs first, because its answers are the reference. */
export const BASELINE = 'stock';

/**
 * The edge checks run on every request; the limits are set far above what the bench
 * can send so that it measures their cost, not their refusals.
 */
const SUPERGATE_ENV: Readonly<Record<string, string>> = {
  // Blank, so the gateway verifies with the development secret the bench signs its token with.
  JWT_SECRET: '',
  JWT_PUBLIC_KEY: '',
  JWKS_URL: '',
  JWT_ISSUER: '',
  JWT_AUDIENCE: '',
  RATE_LIMIT_REQUESTS: '100000000',
  RATE_LIMIT_COST_PER_WINDOW: '1000000000',
  // Rate-limit counters in process memory, whatever the caller's environment says; a Redis-backed target sets its own.
  REDIS_URL: '',
};

/** Measured in this order; a target may serve what one before it answered. Adding a target is one entry. */
export const TARGETS: readonly Target[] = [
  {
    name: BASELINE,
    description: 'stock @apollo/gateway in @apollo/server standalone, default options, plus only the gateway token the subgraphs require',
    entry: benchScript('targets/stockGateway.ts'),
  },
  {
    name: 'supergate',
    description: 'the real gateway process (gateway/src/index.ts) with every edge check: the bearer token verified on each request, authorization, query and rate limits (set far above the load, counted in process memory)',
    entry: fileURLToPath(new URL('../gateway/src/index.ts', import.meta.url)),
    env: () => SUPERGATE_ENV,
  },
  {
    name: 'bare',
    description: "a bare node:http server replaying supergate's captured answer (stock's when supergate is not run): this machine's ceiling",
    entry: benchScript('targets/bareServer.ts'),
    env: (context) => ({ BARE_RESPONSES: JSON.stringify(Object.fromEntries(context.answersOf('supergate') ?? context.answersOf(BASELINE) ?? [])) }),
  },
];

function benchScript(path: string): string {
  return fileURLToPath(new URL(path, import.meta.url));
}
