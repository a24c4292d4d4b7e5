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

/** Answers of the measured run by their `x-cache` header; all zero for a target that sends none. */
export interface CacheCounts {
  readonly hit: number;
  readonly miss: number;
  readonly bypass: number;
}

export interface LoadResult {
  /** Mean over the run's one-second samples. */
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  /** Connection errors and timeouts, plus 2xx answers other than the verified one (errors under load). */
  readonly errors: number;
  readonly cache: CacheCounts;
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
  const counter = new CacheCounter();
  // Every target gets the same listener, so counting costs each of them the same.
  const result = await autocannon({ ...request, duration: options.durationSeconds, expectBody: options.expectBody, setupClient: (client) => counter.attach(client) });
  // A non-2xx answer is also a body mismatch; count it once, as non-2xx.
  const wrongAnswers = Math.max(0, result.mismatches - result.non2xx);
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + wrongAnswers,
    cache: counter.counts(),
  };
}

/** Counts `x-cache` answers as autocannon's connections receive their headers. */
export class CacheCounter {
  private hit = 0;
  private miss = 0;
  private bypass = 0;

  attach(client: autocannon.Client): void {
    // autocannon passes the parser's header info (raw name/value pairs), not the typed IncomingHttpHeaders.
    client.on('headers', (info: unknown) => this.record(rawHeaders(info)));
  }

  counts(): CacheCounts {
    return { hit: this.hit, miss: this.miss, bypass: this.bypass };
  }

  private record(raw: readonly unknown[]): void {
    for (let index = 0; index + 1 < raw.length; index += 2) {
      if (String(raw[index]).toLowerCase() !== 'x-cache') continue;
      const value = String(raw[index + 1]).toUpperCase();
      if (value === 'HIT') this.hit += 1;
      else if (value === 'MISS') this.miss += 1;
      else if (value === 'BYPASS') this.bypass += 1;
      return;
    }
  }
}

function rawHeaders(info: unknown): readonly unknown[] {
  const headers = typeof info === 'object' && info !== null ? (info as { headers?: unknown }).headers : undefined;
  return Array.isArray(headers) ? headers : [];
}
