import { setTimeout } from 'node:timers/promises';
import { isAvailabilityFailure, mayRetry } from './retryPolicy.js';
import { circuitOpenError, failureOf } from './subgraphCallErrors.js';
import type { SubgraphCallPolicy } from './SubgraphCalls.js';

/**
 * Makes one call to the subgraph `serviceName` with `attempt`, under one deadline for
 * the call and its retry. A query (`subgraphQuery`) that could not reach the subgraph is
 * sent once more after a jittered backoff if the deadline leaves time, and no attempt
 * is made while the subgraph's circuit is open.
 */
export function callWithRetries<T>(policy: SubgraphCallPolicy, serviceName: string, subgraphQuery: string, attempt: () => Promise<T>): Promise<T> {
  const { breaker } = policy;
  return policy.withinDeadline(async (deadline) => {
    for (let attempts = 1; ; attempts += 1) {
      const permit = breaker.tryAcquire();
      if (permit === undefined) throw circuitOpenError(serviceName);
      try {
        const result = await attempt();
        breaker.recordSuccess(permit);
        return result;
      } catch (error) {
        // Anything but a timeout or an unreachable subgraph means it answered, so it is there.
        const failure = failureOf(error);
        if (isAvailabilityFailure(failure)) breaker.recordFailure(permit);
        else breaker.recordSuccess(permit);
        if (!mayRetry(subgraphQuery, failure, attempts)) throw error;
        const delayMs = policy.retryDelayMs(attempts);
        if (!deadline.allowsAttemptAfter(delayMs)) throw error;
        await setTimeout(delayMs);
      }
    }
  });
}
