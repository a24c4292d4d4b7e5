export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  readonly failureThreshold: number;
  /** How long an open circuit refuses calls before it lets one probe through. */
  readonly cooldownMs: number;
  /** Told of every change of state, for logs and metrics. */
  readonly onStateChange?: (state: CircuitState) => void;
  /** The clock, replaceable in tests. @default Date.now */
  readonly now?: () => number;
}

/** Leave to make one call, handed back with the call's outcome so the breaker knows when the call started. */
export interface CircuitPermit {
  /** How many times the circuit had opened when the call was let out. */
  readonly generation: number;
}

/**
 * Stops calls to a dependency that keeps failing. Closed: every call goes out and
 * consecutive failures are counted. Open: calls are refused without touching the
 * network until the cool-down ends. Half-open: exactly one probe goes out; its
 * success closes the circuit, its failure opens it for another cool-down.
 *
 * Callers ask `tryAcquire()` before each call and report every call they made,
 * with the permit it returned, to `recordSuccess()` or `recordFailure()`. A call
 * let out before the circuit last opened tells nothing about the dependency now:
 * its outcome is ignored, so a slow success from before cannot close the circuit.
 */
export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private failures = 0;
  private openedAt = 0;
  /** Counts openings; a permit from an earlier generation predates the latest one. */
  private generation = 0;
  private probeInFlight = false;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    if (!Number.isInteger(options.failureThreshold) || options.failureThreshold < 1) {
      throw new RangeError(`failureThreshold must be a positive integer; got ${options.failureThreshold}`);
    }
    this.now = options.now ?? Date.now;
  }

  /** The state as a caller asking now would find it. */
  get state(): CircuitState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.options.cooldownMs) return 'half-open';
    return this.current;
  }

  /** Leave for a call now, or undefined when the circuit refuses it; in half-open, for the one probe only. */
  tryAcquire(): CircuitPermit | undefined {
    const state = this.state;
    if (state === 'closed') return { generation: this.generation };
    if (state === 'open' || this.probeInFlight) return undefined;
    this.transition('half-open');
    this.probeInFlight = true;
    return { generation: this.generation };
  }

  recordSuccess(permit: CircuitPermit): void {
    if (this.isStale(permit)) return;
    this.failures = 0;
    this.probeInFlight = false;
    this.transition('closed');
  }

  recordFailure(permit: CircuitPermit): void {
    // A call let out before the circuit opened must not restart the cool-down, nor end a probe's turn.
    if (this.isStale(permit)) return;
    if (this.current === 'half-open') {
      this.open();
      return;
    }
    this.failures += 1;
    if (this.failures >= this.options.failureThreshold) this.open();
  }

  private isStale(permit: CircuitPermit): boolean {
    return permit.generation !== this.generation;
  }

  private open(): void {
    this.generation += 1;
    this.openedAt = this.now();
    this.probeInFlight = false;
    this.transition('open');
  }

  private transition(state: CircuitState): void {
    if (this.current === state) return;
    this.current = state;
    this.options.onStateChange?.(state);
  }
}
