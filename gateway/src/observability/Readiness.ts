export type SubgraphHealth = 'up' | 'down';

/** The body of `GET /ready`. */
export interface ReadinessReport {
  /** `degraded`: serving, but Redis or a subgraph is down; `unavailable`: no supergraph loaded yet. */
  readonly status: 'ready' | 'degraded' | 'stopping' | 'unavailable';
  readonly supergraph: 'loaded' | 'not loaded';
  readonly redis: 'up' | 'down' | 'not configured';
  readonly subgraphs: Readonly<Record<string, SubgraphHealth>>;
}

export interface ReadinessOptions {
  /**
   * Each subgraph's routing URL by name; its `/ready` on the same origin is probed, which
   * fails while the subgraph runs but cannot reach its database.
   */
  readonly subgraphUrls: ReadonlyMap<string, string>;
  /** Whether Redis answers now; undefined when the gateway runs without Redis. */
  readonly redisAvailable: (() => boolean) | undefined;
  /** How long one round of subgraph probes is reused, so frequent /ready calls stay cheap. @default 3000 */
  readonly cacheMs?: number;
  /** Longest wait for one subgraph's /ready. @default 1000 */
  readonly probeTimeoutMs?: number;
  readonly now?: () => number;
}

/**
 * Answers `GET /ready`: 200 while the gateway can serve, even with Redis or a
 * subgraph down (then `degraded`, since other operations still work, and a
 * shared outage must not take every replica out of service at once); 503
 * while stopping or before the supergraph is loaded. A subgraph is down when it
 * does not answer or its own `/ready` fails (its database does not answer).
 */
export class Readiness {
  private loaded = false;
  private stopping = false;
  private latest: { readonly at: number; readonly health: Promise<Record<string, SubgraphHealth>> } | undefined;
  private readonly cacheMs: number;
  private readonly probeTimeoutMs: number;
  private readonly now: () => number;

  constructor(private readonly options: ReadinessOptions) {
    this.cacheMs = options.cacheMs ?? 3_000;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 1_000;
    this.now = options.now ?? Date.now;
  }

  supergraphLoaded(): void {
    this.loaded = true;
  }

  markStopping(): void {
    this.stopping = true;
  }

  async report(): Promise<{ readonly httpStatus: number; readonly body: ReadinessReport }> {
    const subgraphs = await this.subgraphHealth();
    const redisAvailable = this.options.redisAvailable;
    const redis = redisAvailable === undefined ? 'not configured' : redisAvailable() ? 'up' : 'down';
    const degraded = redis === 'down' || Object.values(subgraphs).includes('down');
    const status = this.stopping ? 'stopping' : !this.loaded ? 'unavailable' : degraded ? 'degraded' : 'ready';
    const httpStatus = status === 'ready' || status === 'degraded' ? 200 : 503;
    return { httpStatus, body: { status, supergraph: this.loaded ? 'loaded' : 'not loaded', redis, subgraphs } };
  }

  private subgraphHealth(): Promise<Record<string, SubgraphHealth>> {
    const now = this.now();
    // A round in flight is shared too, so a burst of /ready calls probes each subgraph once.
    if (this.latest === undefined || now - this.latest.at >= this.cacheMs) this.latest = { at: now, health: this.probeAll() };
    return this.latest.health;
  }

  private async probeAll(): Promise<Record<string, SubgraphHealth>> {
    const entries = await Promise.all([...this.options.subgraphUrls].map(async ([name, url]) => [name, await this.probe(url)] as const));
    return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
  }

  private async probe(routingUrl: string): Promise<SubgraphHealth> {
    try {
      const response = await fetch(new URL('/ready', routingUrl), { signal: AbortSignal.timeout(this.probeTimeoutMs) });
      await response.body?.cancel();
      return response.ok ? 'up' : 'down';
    } catch {
      return 'down';
    }
  }
}
