import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent, fetch, type Response } from 'undici';
import type { SubgraphCallSettings } from '../config.js';
import { CallDeadline } from './CallDeadline.js';
import { CircuitBreaker, type CircuitState } from './CircuitBreaker.js';
import { retryDelayMs } from './retryPolicy.js';

/** What one request to a subgraph is sent with. */
export interface SubgraphRequestInit {
  readonly method: 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Sends one request to a subgraph over the shared pool, under the deadline of the call it belongs to. */
export type SubgraphFetcher = (url: string, init: SubgraphRequestInit) => Promise<Response>;

/** What one subgraph's data source calls through. */
export interface SubgraphCallPolicy {
  readonly fetcher: SubgraphFetcher;
  readonly breaker: CircuitBreaker;
  /** Whether concurrent identical queries share one call. */
  readonly deduplicateQueries: boolean;
  /** Runs one call, its retries included, under one deadline of `SUBGRAPH_TIMEOUT_MS` that every fetch in it honours. */
  withinDeadline<T>(work: (deadline: CallDeadline) => Promise<T>): Promise<T>;
  /** How long to wait before retry number `retry` (1 for the first). */
  retryDelayMs(retry: number): number;
}

export interface SubgraphCallsOptions {
  /** Told when a subgraph's circuit opens, lets a probe through, or closes again. */
  readonly onCircuitChange?: (serviceName: string, state: CircuitState) => void;
  /** The breakers' and deadlines' clock, replaceable in tests. @default Date.now */
  readonly now?: () => number;
  /** The retry backoff's source of jitter, replaceable in tests. @default Math.random */
  readonly random?: () => number;
}

/**
 * The gateway's side of every subgraph call: one keep-alive connection pool per
 * subgraph origin, one deadline per call across its retries, and a circuit breaker per subgraph.
 */
export class SubgraphCalls {
  // The data source's fetcher is called deep inside @apollo/gateway, which passes no signal of its own.
  private readonly deadlines = new AsyncLocalStorage<CallDeadline>();
  // Keeps connections open between calls; undici reads the subgraph's Keep-Alive
  // hint and lets a connection go a second before the subgraph would close it.
  private readonly agent: Agent;

  constructor(
    private readonly settings: SubgraphCallSettings,
    private readonly options: SubgraphCallsOptions = {},
  ) {
    this.agent = new Agent({ connections: settings.maxConnections });
  }

  /** A fetch over the shared pools and a breaker of its own, for the subgraph named `serviceName`. */
  forService(serviceName: string): SubgraphCallPolicy {
    const { timeoutMs, breakerThreshold, breakerCooldownMs } = this.settings;
    const { onCircuitChange, now, random } = this.options;
    const breaker = new CircuitBreaker({
      failureThreshold: breakerThreshold,
      cooldownMs: breakerCooldownMs,
      ...(now === undefined ? {} : { now }),
      ...(onCircuitChange === undefined ? {} : { onStateChange: (state: CircuitState) => onCircuitChange(serviceName, state) }),
    });
    const dispatcher = this.agent;
    const deadlines = this.deadlines;
    // The signal also aborts reading the body, so a subgraph that sends headers and then stalls times out too.
    const fetcher: SubgraphFetcher = (url, init) => fetch(url, { ...init, dispatcher, signal: deadlines.getStore()?.signal ?? AbortSignal.timeout(timeoutMs) });
    return {
      fetcher,
      breaker,
      deduplicateQueries: this.settings.deduplicateQueries,
      withinDeadline: (work) => {
        const deadline = new CallDeadline(timeoutMs, now);
        return deadlines.run(deadline, () => work(deadline));
      },
      retryDelayMs: (retry) => retryDelayMs(retry, random),
    };
  }

  /** Closes the pooled connections once calls in progress are done. */
  async close(): Promise<void> {
    await this.agent.close();
  }
}
