/**
 * The one deadline of a subgraph call, shared by its first attempt and its retries,
 * so a hung subgraph costs `SUBGRAPH_TIMEOUT_MS` once, not once per attempt.
 */
export class CallDeadline {
  /** Aborts the attempt in flight, reading the body included, when the deadline passes. */
  readonly signal: AbortSignal;
  private readonly endsAt: number;

  constructor(
    timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.endsAt = now() + timeoutMs;
    this.signal = AbortSignal.timeout(timeoutMs);
  }

  /** Whether another attempt can start after waiting `delayMs`, with time left to answer. */
  allowsAttemptAfter(delayMs: number): boolean {
    return !this.signal.aborted && this.endsAt - this.now() > delayMs;
  }
}
