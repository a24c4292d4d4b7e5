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

/**
 * Stops calls to a dependency that keeps failing. Closed: every call goes out and
 * consecutive failures are counted. Open: calls are refused without touching the
 * network until the cool-down ends. Half-open: exactly one probe goes out; its
 * success closes the circuit, its failure opens it for another cool-down.
 *
 * Callers ask `tryAcquire()` before each call and report every call they made
 * with `recordSuccess()` or `recordFailure()`.
 */
export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private failures = 0;
  private openedAt = 0;
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

  /** Whether a call may go out now; in half-open, true for the one probe only. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.probeInFlight) return false;
    this.transition('half-open');
    this.probeInFlight = true;
    return true;
  }

  recordSuccess(): void {
    this.failures = 0;
    this.probeInFlight = false;
    this.transition('closed');
  }

  recordFailure(): void {
    if (this.current === 'half-open') {
      this.open();
      return;
    }
    // A call let out before the circuit opened tells nothing new; it must not restart the cool-down.
    if (this.current === 'open') return;
    this.failures += 1;
    if (this.failures >= this.options.failureThreshold) this.open();
  }

  private open(): void {
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
