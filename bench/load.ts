import autocannon from 'autocannon';

export interface LoadOptions {
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
  /** The answer verified before the run; any other answer counts as an error. */
  readonly expectBody: string;
}

export interface LoadResult {
  /** Mean over the run's one-second samples. */
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  /** Connection errors and timeouts, plus 2xx answers other than the verified one (errors under load). */
  readonly errors: number;
}

/** Sends the same POST on a fixed number of connections: a discarded warm-up, then the measured run. */
export async function measureLoad(options: LoadOptions): Promise<LoadResult> {
  const request = {
    url: options.url,
    method: 'POST' as const,
    headers: { ...options.headers, 'content-type': 'application/json' },
    body: options.body,
    connections: options.connections,
  };
  if (options.warmupSeconds > 0) await autocannon({ ...request, duration: options.warmupSeconds });
  const result = await autocannon({ ...request, duration: options.durationSeconds, expectBody: options.expectBody });
  // A non-2xx answer is also a body mismatch; count it once, as non-2xx.
  const wrongAnswers = Math.max(0, result.mismatches - result.non2xx);
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + wrongAnswers,
  };
}
