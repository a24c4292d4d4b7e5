import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type CircuitPermit, type CircuitState } from './CircuitBreaker.js';

function breakerWithClock(failureThreshold = 3, cooldownMs = 1_000) {
  const clock = { now: 0 };
  const changes: CircuitState[] = [];
  const breaker = new CircuitBreaker({ failureThreshold, cooldownMs, now: () => clock.now, onStateChange: (state) => changes.push(state) });
  return { breaker, clock, changes };
}

function acquire(breaker: CircuitBreaker): CircuitPermit {
  const permit = breaker.tryAcquire();
  if (permit === undefined) throw new Error('the breaker refused a call the test expected it to let out');
  return permit;
}

function fail(breaker: CircuitBreaker, times: number): void {
  for (let i = 0; i < times; i += 1) breaker.recordFailure(acquire(breaker));
}

describe('circuit breaker', () => {
  it('lets every call through while failures stay under the threshold in a row', () => {
    const { breaker, changes } = breakerWithClock(3);
    fail(breaker, 2);
    breaker.recordSuccess(acquire(breaker));
    fail(breaker, 2);
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBeDefined();
    expect(changes).toEqual([]);
  });

  it('opens after the threshold of consecutive failures and refuses calls until the cool-down ends', () => {
    const { breaker, clock, changes } = breakerWithClock(3, 1_000);
    fail(breaker, 3);
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBeUndefined();
    clock.now = 999;
    expect(breaker.tryAcquire()).toBeUndefined();
    expect(changes).toEqual(['open']);
  });

  it('lets exactly one probe through after the cool-down, and its success closes the circuit', () => {
    const { breaker, clock, changes } = breakerWithClock(3, 1_000);
    fail(breaker, 3);
    clock.now = 1_000;
    expect(breaker.state).toBe('half-open');
    const probe = acquire(breaker);
    expect(breaker.tryAcquire()).toBeUndefined();
    breaker.recordSuccess(probe);
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBeDefined();
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('opens for a whole new cool-down when the probe fails', () => {
    const { breaker, clock, changes } = breakerWithClock(3, 1_000);
    fail(breaker, 3);
    clock.now = 1_500;
    fail(breaker, 1);
    expect(breaker.state).toBe('open');
    clock.now = 2_499;
    expect(breaker.tryAcquire()).toBeUndefined();
    clock.now = 2_500;
    expect(breaker.tryAcquire()).toBeDefined();
    expect(changes).toEqual(['open', 'half-open', 'open', 'half-open']);
  });

  it('does not restart the cool-down for failures of calls let out before it opened', () => {
    const { breaker, clock } = breakerWithClock(2, 1_000);
    const calls = [acquire(breaker), acquire(breaker), acquire(breaker)];
    breaker.recordFailure(calls[0]!);
    breaker.recordFailure(calls[1]!);
    clock.now = 900;
    breaker.recordFailure(calls[2]!);
    clock.now = 1_000;
    expect(breaker.tryAcquire()).toBeDefined();
  });

  it('stays open when a call let out before it opened succeeds late', () => {
    const { breaker, clock, changes } = breakerWithClock(2, 1_000);
    const slow = acquire(breaker);
    fail(breaker, 2);
    clock.now = 500;
    breaker.recordSuccess(slow);
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBeUndefined();
    expect(changes).toEqual(['open']);
  });

  it('lets neither a late success nor a late failure from before the opening decide the probe', () => {
    const { breaker, clock, changes } = breakerWithClock(2, 1_000);
    const slowSuccess = acquire(breaker);
    const slowFailure = acquire(breaker);
    fail(breaker, 2);
    clock.now = 1_000;
    const probe = acquire(breaker);
    breaker.recordSuccess(slowSuccess);
    breaker.recordFailure(slowFailure);
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire()).toBeUndefined();
    breaker.recordSuccess(probe);
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('ignores a late outcome from before an earlier opening once the circuit has closed again', () => {
    const { breaker, clock } = breakerWithClock(2, 1_000);
    const slow = acquire(breaker);
    fail(breaker, 2);
    clock.now = 1_000;
    breaker.recordSuccess(acquire(breaker));
    fail(breaker, 1);
    breaker.recordSuccess(slow);
    // The failure since closing still counts: one more opens the circuit.
    fail(breaker, 1);
    expect(breaker.state).toBe('open');
  });

  it('refuses a threshold that is not a positive integer', () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0, cooldownMs: 1 })).toThrow(/failureThreshold must be a positive integer; got 0/);
  });
});
