import autocannon from 'autocannon';

export interface LoadOptions {
  readonly url: string;
  /** One body sent on every request, or many, sent in turn (each request carries the next). */
  readonly body: string | readonly string[];
  readonly headers: Readonly<Record<string, string>>;
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
  /** The answer verified before the run; any other answer counts as an error. Without it (many bodies), an answer with `errors` counts as one. */
  readonly expectBody?: string;
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

/** Sends POSTs on a fixed number of connections: a discarded warm-up, then the measured run. */
export async function measureLoad(options: LoadOptions): Promise<LoadResult> {
  const bodies = typeof options.body === 'string' ? [options.body] : options.body;
  if (bodies.length === 0) throw new Error('measureLoad needs at least one request body');
  let answersWithErrors = 0;
  let next = 0;
  const request = {
    url: options.url,
    method: 'POST' as const,
    headers: { ...options.headers, 'content-type': 'application/json' },
    body: bodies[0],
    connections: options.connections,
    ...(bodies.length === 1
      ? {}
      : {
          requests: [
            {
              setupRequest: (sent: autocannon.Request) => {
                sent.body = bodies[next]!;
                next = (next + 1) % bodies.length;
                return sent;
              },
              onResponse: (status: number, body: string) => {
                if (status >= 200 && status < 300 && body.includes('"errors":')) answersWithErrors += 1;
              },
            },
          ],
        }),
  };
  if (options.warmupSeconds > 0) await autocannon({ ...request, duration: options.warmupSeconds });
  answersWithErrors = 0;
  const counter = new CacheCounter();
  // Every target gets the same listener, so counting costs each of them the same.
  const result = await autocannon({
    ...request,
    duration: options.durationSeconds,
    ...(options.expectBody === undefined ? {} : { expectBody: options.expectBody }),
    setupClient: (client) => counter.attach(client),
  });
  // A non-2xx answer is also a body mismatch; count it once, as non-2xx.
  const wrongAnswers = Math.max(0, result.mismatches - result.non2xx) + answersWithErrors;
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
