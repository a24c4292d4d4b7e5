import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type CircuitState } from './CircuitBreaker.js';

function breakerWithClock(failureThreshold = 3, cooldownMs = 1_000) {
  const clock = { now: 0 };
  const changes: CircuitState[] = [];
  const breaker = new CircuitBreaker({ failureThreshold, cooldownMs, now: () => clock.now, onStateChange: (state) => changes.push(state) });
  return { breaker, clock, changes };
}

function fail(breaker: CircuitBreaker, times: number): void {
  for (let i = 0; i < times; i += 1) {
    expect(breaker.tryAcquire()).toBe(true);
    breaker.recordFailure();
  }
}

describe('circuit breaker', () => {
  it('lets every call through while failures stay under the threshold in a row', () => {
    const { breaker, changes } = breakerWithClock(3);
    fail(breaker, 2);
    breaker.recordSuccess();
    fail(breaker, 2);
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
    expect(changes).toEqual([]);
  });

  it('opens after the threshold of consecutive failures and refuses calls until the cool-down ends', () => {
    const { breaker, clock, changes } = breakerWithClock(3, 1_000);
    fail(breaker, 3);
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
    clock.now = 999;
    expect(breaker.tryAcquire()).toBe(false);
    expect(changes).toEqual(['open']);
  });

  it('lets exactly one probe through after the cool-down, and its success closes the circuit', () => {
    const { breaker, clock, changes } = breakerWithClock(3, 1_000);
    fail(breaker, 3);
    clock.now = 1_000;
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
    breaker.recordSuccess();
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('opens for a whole new cool-down when the probe fails', () => {
    const { breaker, clock, changes } = breakerWithClock(3, 1_000);
    fail(breaker, 3);
    clock.now = 1_500;
    fail(breaker, 1);
    expect(breaker.state).toBe('open');
    clock.now = 2_499;
    expect(breaker.tryAcquire()).toBe(false);
    clock.now = 2_500;
    expect(breaker.tryAcquire()).toBe(true);
    expect(changes).toEqual(['open', 'half-open', 'open', 'half-open']);
  });

  it('does not restart the cool-down for failures of calls let out before it opened', () => {
    const { breaker, clock } = breakerWithClock(2, 1_000);
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.recordFailure();
    breaker.recordFailure();
    clock.now = 900;
    breaker.recordFailure();
    clock.now = 1_000;
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('refuses a threshold that is not a positive integer', () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0, cooldownMs: 1 })).toThrow(/failureThreshold must be a positive integer; got 0/);
  });
});
