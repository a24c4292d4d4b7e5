import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ErrorCode } from '../../../lib/errors.js';

/** How a GraphQL request ended: answered cleanly, answered with errors, or refused by the gateway (4xx). */
export type RequestOutcome = 'success' | 'error' | 'rejected';
export type CacheLookupOutcome = 'hit' | 'miss' | 'bypass';
export type SupergraphReloadOutcome = 'success' | 'failure';

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));
const OTHER_CODE = '(other)';

/** Label for operations without a name. Parentheses cannot occur in a GraphQL name, so no operation can claim it. */
export const ANONYMOUS_OPERATION = '(anonymous)';
/** Label for operation names beyond the first `maxOperationNames`. */
export const OTHER_OPERATION = '(other)';

/** Longest operation name used as a label as it is; a longer one is cut there and ends in `…`, which no GraphQL name contains. */
export const MAX_OPERATION_LABEL_LENGTH = 100;

export interface GatewayMetricsOptions {
  /** Distinct operation names that get a label of their own; later ones are counted as `(other)`. @default 100 */
  maxOperationNames?: number;
  /** Include Node's process metrics (CPU, memory, event loop, GC). @default true */
  processMetrics?: boolean;
}

/**
 * The gateway's Prometheus metrics, in a registry of its own so that two
 * gateways in one process (tests) keep separate counts.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly operationNames = new Set<string>();
  private readonly maxOperationNames: number;
  private readonly requests: Counter<'operation' | 'outcome'>;
  private readonly requestDuration: Histogram<'operation' | 'outcome'>;
  private readonly subgraphFetchDuration: Histogram<'subgraph'>;
  private readonly subgraphErrors: Counter<'subgraph'>;
  private readonly cacheLookups: Counter<'outcome'>;
  private readonly cacheInvalidations: Counter;
  private readonly cacheStoreErrors: Counter;
  private readonly subgraphSharedFetches: Counter<'subgraph'>;
  private readonly sharedOperations: Counter;
  private readonly rateLimitRejections: Counter<'rule'>;
  private readonly supergraphReloads: Counter<'outcome'>;
  private readonly executorFallbacks: Counter<'reason'>;
  private readonly activeSubscriptions: Gauge<'subgraph' | 'protocol'>;
  private readonly subscriptionEvents: Counter<'subgraph' | 'protocol'>;
  private readonly subscriptionEventsDropped: Counter<'subgraph' | 'reason'>;
  private readonly subscriptionErrors: Counter<'code'>;
  // Registered on the first report, so a gateway without Redis exports no misleading 0.
  private redisGauge: Gauge | undefined;

  constructor(options: GatewayMetricsOptions = {}) {
    this.maxOperationNames = options.maxOperationNames ?? 100;
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'gateway_requests_total',
      help: 'GraphQL requests answered, by operation name and outcome (success, error, rejected).',
      labelNames: ['operation', 'outcome'],
      registers,
    });
    this.requestDuration = new Histogram({
      name: 'gateway_request_duration_seconds',
      help: 'Time from a GraphQL request arriving to its last byte sent, by operation name and outcome.',
      labelNames: ['operation', 'outcome'],
      registers,
    });
    this.subgraphFetchDuration = new Histogram({
      name: 'gateway_subgraph_fetch_duration_seconds',
      help: 'Time a subgraph took to answer one fetch of a query plan, by subgraph.',
      labelNames: ['subgraph'],
      registers,
    });
    this.subgraphErrors = new Counter({
      name: 'gateway_subgraph_errors_total',
      help: 'Subgraph fetches that failed or answered with GraphQL errors, by subgraph.',
      labelNames: ['subgraph'],
      registers,
    });
    this.cacheLookups = new Counter({
      name: 'gateway_cache_lookups_total',
      help: 'Response cache lookups, by outcome (hit, miss, bypass).',
      labelNames: ['outcome'],
      registers,
    });
    this.cacheInvalidations = new Counter({
      name: 'gateway_cache_invalidations_total',
      help: 'Cached responses invalidated.',
      registers,
    });
    this.subgraphSharedFetches = new Counter({
      name: 'gateway_subgraph_shared_fetches_total',
      help: 'Subgraph fetches answered by joining an identical call already in flight, by subgraph.',
      labelNames: ['subgraph'],
      registers,
    });
    this.sharedOperations = new Counter({
      name: 'gateway_shared_operations_total',
      help: 'Queries answered by joining an identical execution already in flight.',
      registers,
    });
    this.cacheStoreErrors = new Counter({
      name: 'gateway_cache_store_errors_total',
      help: 'Response cache and persisted-query store operations that failed and were treated as misses.',
      registers,
    });
    this.rateLimitRejections = new Counter({
      name: 'gateway_rate_limit_rejections_total',
      help: 'Requests refused with 429, by the budget that ran out (requests, cost, or a @rateLimit field).',
      labelNames: ['rule'],
      registers,
    });
    this.supergraphReloads = new Counter({
      name: 'gateway_supergraph_reloads_total',
      help: 'Supergraph loads and reloads, by outcome (success, failure).',
      labelNames: ['outcome'],
      registers,
    });
    this.executorFallbacks = new Counter({
      name: 'gateway_executor_fallbacks_total',
      help: "Operations the fast query-plan executor left to @apollo/gateway's, by reason (a plan shape or request it does not run).",
      labelNames: ['reason'],
      registers,
    });
    this.activeSubscriptions = new Gauge({
      name: 'gateway_subscriptions_active',
      help: 'Subscriptions running, by the subgraph that owns them and the client protocol (graphql-ws, sse, multipart).',
      labelNames: ['subgraph', 'protocol'],
      registers,
    });
    this.subscriptionEvents = new Counter({
      name: 'gateway_subscription_events_total',
      help: 'Subscription events delivered to clients, by subgraph and protocol.',
      labelNames: ['subgraph', 'protocol'],
      registers,
    });
    this.subscriptionEventsDropped = new Counter({
      name: 'gateway_subscription_events_dropped_total',
      help: 'Subscriptions ended with events lost, by subgraph and reason (buffer_overflow: a slow consumer; subgraph_unavailable: the connection to it was lost).',
      labelNames: ['subgraph', 'reason'],
      registers,
    });
    this.subscriptionErrors = new Counter({
      name: 'gateway_subscription_errors_total',
      help: 'Subscriptions refused or ended on an error, by error code.',
      labelNames: ['code'],
      registers,
    });
    // Zero-valued series from the start, so rate() and alerts see the first increment.
    for (const outcome of ['hit', 'miss', 'bypass'] satisfies CacheLookupOutcome[]) this.cacheLookups.inc({ outcome }, 0);
    for (const outcome of ['success', 'failure'] satisfies SupergraphReloadOutcome[]) this.supergraphReloads.inc({ outcome }, 0);
  }

  /** Counts one GraphQL request; `operationName` is null or undefined for an anonymous or unresolved operation. */
  request(operationName: string | null | undefined, outcome: RequestOutcome, seconds: number): void {
    const labels = { operation: this.operationLabel(operationName), outcome };
    this.requests.inc(labels);
    this.requestDuration.observe(labels, seconds);
  }

  /** Times one fetch from a subgraph; `ok` is false when it failed or answered with errors. */
  subgraphFetch(subgraph: string, seconds: number, ok: boolean): void {
    this.subgraphFetchDuration.observe({ subgraph }, seconds);
    if (!ok) this.subgraphErrors.inc({ subgraph });
  }

  cacheLookup(outcome: CacheLookupOutcome): void {
    this.cacheLookups.inc({ outcome });
  }

  sharedOperation(): void {
    this.sharedOperations.inc();
  }

  /** Counts one operation the fast executor handed to @apollo/gateway's. */
  executorFallback(reason: string): void {
    this.executorFallbacks.inc({ reason });
  }

  subscriptionStarted(subgraph: string, protocol: string): void {
    this.activeSubscriptions.inc({ subgraph, protocol });
  }

  subscriptionEnded(subgraph: string, protocol: string): void {
    this.activeSubscriptions.dec({ subgraph, protocol });
  }

  subscriptionEvent(subgraph: string, protocol: string): void {
    this.subscriptionEvents.inc({ subgraph, protocol });
  }

  subscriptionEventDropped(subgraph: string, reason: 'buffer_overflow' | 'subgraph_unavailable'): void {
    this.subscriptionEventsDropped.inc({ subgraph, reason });
  }

  /** Codes outside `ErrorCode` (a subgraph's own) are counted as `(other)`, so the label set stays bounded. */
  subscriptionError(code: string): void {
    this.subscriptionErrors.inc({ code: KNOWN_CODES.has(code) ? code : OTHER_CODE });
  }

  subgraphSharedFetch(subgraph: string): void {
    this.subgraphSharedFetches.inc({ subgraph });
  }

  cacheStoreError(): void {
    this.cacheStoreErrors.inc();
  }

  cacheInvalidation(count = 1): void {
    if (count > 0) this.cacheInvalidations.inc(count);
  }

  rateLimitRejection(rule: string): void {
    this.rateLimitRejections.inc({ rule });
  }

  redisAvailable(up: boolean): void {
    this.redisGauge ??= new Gauge({
      name: 'gateway_redis_available',
      help: '1 while Redis answers commands, 0 while the gateway runs on per-process fallbacks. Absent when REDIS_URL is unset.',
      registers: [this.registry],
    });
    this.redisGauge.set(up ? 1 : 0);
  }

  supergraphReload(outcome: SupergraphReloadOutcome): void {
    this.supergraphReloads.inc({ outcome });
  }

  /** The `Content-Type` of `render()`'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every metric in Prometheus text format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /**
   * The label an operation name is counted under: its own (at most
   * `MAX_OPERATION_LABEL_LENGTH` characters) for the first `maxOperationNames`
   * names seen. Only names of operations that passed validation reach here.
   */
  operationLabel(operationName: string | null | undefined): string {
    if (operationName === null || operationName === undefined || operationName === '') return ANONYMOUS_OPERATION;
    const label = operationName.length > MAX_OPERATION_LABEL_LENGTH ? `${operationName.slice(0, MAX_OPERATION_LABEL_LENGTH)}…` : operationName;
    if (this.operationNames.has(label)) return label;
    if (this.operationNames.size >= this.maxOperationNames) return OTHER_OPERATION;
    this.operationNames.add(label);
    return label;
  }
}
