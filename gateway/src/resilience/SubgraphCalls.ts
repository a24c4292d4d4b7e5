import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent } from 'undici';
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

/** A subgraph's HTTP answer, its body read to the end. */
export interface SubgraphHttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

/** Sends one request to a subgraph over the shared pool, under the deadline of the call it belongs to. */
export type SubgraphFetcher = (url: string, init: SubgraphRequestInit) => Promise<SubgraphHttpAnswer>;

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
    const fetcher: SubgraphFetcher = (url, init) => post(dispatcher, url, init, deadlines.getStore()?.signal ?? AbortSignal.timeout(timeoutMs));
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

/** Where each routing URL sends its requests; there are as many as the supergraph has subgraphs. */
const targets = new Map<string, { readonly origin: string; readonly path: string }>();

function targetOf(url: string): { readonly origin: string; readonly path: string } {
  let target = targets.get(url);
  if (target === undefined) {
    const parsed = new URL(url);
    target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
    if (targets.size >= 1000) targets.clear();
    targets.set(url, target);
  }
  return target;
}

/**
 * One POST through undici's dispatcher API rather than its fetch, which wraps
 * every answer in WHATWG streams: on the public benchmark's deep query that
 * wrapping cost about a third of the gateway's time. The signal aborts reading
 * the body too, so a subgraph that sends headers and then stalls times out;
 * a passed deadline always surfaces as the signal's own TimeoutError.
 */
async function post(dispatcher: Agent, url: string, init: SubgraphRequestInit, signal: AbortSignal): Promise<SubgraphHttpAnswer> {
  const { origin, path } = targetOf(url);
  try {
    const answer = await dispatcher.request({ origin, path, method: init.method, headers: init.headers, body: init.body, signal });
    const body = await answer.body.text();
    const headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const each of value) headers.append(name, each);
      else headers.append(name, value);
    }
    return { status: answer.statusCode, headers, body };
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw error;
  }
}
