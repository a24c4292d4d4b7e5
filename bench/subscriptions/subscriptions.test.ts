import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  AUTHOR_COUNT,
  eventProblem,
  expectationQueries,
  ExpectedEvents,
  percentile,
  plannedReview,
  PRODUCT_COUNT,
  sequenceOf,
  summariseDeliveries,
} from './deliveries.js';
import { DISTINCT_CALLERS_HEADING, formatSubscriptionsTable, replaceSection, SECTION_HEADING } from './subscriptionsReport.js';
import { SUBSCRIPTION_TARGETS } from './subscriptionTargets.js';
import type { SubscriptionMeasurement } from './workload.js';

/** What the expectation queries answer on the seeded shop, for the first author and product and placeholders for the rest. */
function expectationData(): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (let index = 1; index <= AUTHOR_COUNT; index += 1) data[`a${index}`] = { username: `user${index}` };
  for (let index = 1; index <= PRODUCT_COUNT; index += 1) data[`p${index}`] = { name: `Product ${index}`, price: 100 + index, inStock: index !== 17 };
  return data;
}

describe('the subscriptions workload', () => {
  it('matches each event to its mutation by the sequence number in the review body, and nothing else', () => {
    const review = plannedReview('run a', 42);
    expect(review).toEqual({ seq: 42, body: 'run a #42', authorId: 'u43', upc: '3' });
    expect(sequenceOf('run a', review.body)).toBe(42);
    expect(sequenceOf('run b', review.body)).toBeUndefined();
    expect(sequenceOf('run a', 'run a #')).toBeUndefined();
    expect(sequenceOf('run a', 'run a #4x')).toBeUndefined();
    expect(sequenceOf('run a', 'run a #12345678901')).toBeUndefined();
    expect(sequenceOf('run a', 42)).toBeUndefined();
    expect(plannedReview('run a', AUTHOR_COUNT).authorId).toBe('u1');
    expect(plannedReview('run a', PRODUCT_COUNT).upc).toBe('1');
  });

  it('asks every author and product in queries under the alias limit', () => {
    const aliases = expectationQueries().map((query) => {
      const operation = parse(query).definitions[0] as OperationDefinitionNode;
      return operation.selectionSet.selections.map((selection) => (selection.kind === Kind.FIELD ? selection.alias?.value : undefined));
    });
    expect(Math.max(...aliases.map((inQuery) => inQuery.length))).toBeLessThanOrEqual(20);
    expect(aliases.flat().sort()).toEqual(
      [...Array.from({ length: AUTHOR_COUNT }, (_, index) => `a${index + 1}`), ...Array.from({ length: PRODUCT_COUNT }, (_, index) => `p${index + 1}`)].sort(),
    );
  });

  it('accepts an event equal to the plain query join whatever its key order, and says what differs otherwise', () => {
    const expected = new ExpectedEvents(expectationData());
    const review = plannedReview('run a', 16);
    const event = { data: { reviewAdded: { product: { inStock: false, price: 117, name: 'Product 17' }, author: { username: 'user17' }, body: 'run a #16' } } };
    expect(eventProblem(event, expected.of(review))).toBeUndefined();
    const stale = { data: { reviewAdded: { ...event.data.reviewAdded, product: { ...event.data.reviewAdded.product, inStock: true } } } };
    expect(eventProblem(stale, expected.of(review))).toContain('"inStock":true');
    expect(eventProblem({ ...event, errors: [{ message: 'boom' }] }, expected.of(review))).toContain('boom');
    const { a7: _missing, ...withoutAuthor } = expectationData();
    expect(() => new ExpectedEvents(withoutAuthor)).toThrow('answered no a7');
  });

  it('takes nearest-rank percentiles', () => {
    const hundred = Float64Array.from({ length: 100 }, (_, index) => index + 1);
    expect([percentile(hundred, 50), percentile(hundred, 99), percentile(hundred, 100), percentile(hundred, 0)]).toEqual([50, 99, 100, 1]);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('counts events in the measured window and times only the measured mutations that were answered', () => {
    // Mutations 0 (warm-up), 1 and 2 measured; 2 failed. Two subscribers; the window is [1000, 2000).
    const answeredAt = Float64Array.from([500, 1000, Number.NaN]);
    const summary = summariseDeliveries({
      deliveries: { seq: [0, 0, 1, 1, 2], at: [1005, 990, 1010, 998, 1500] },
      answeredAt,
      firstSeq: 1,
      endSeq: 3,
      windowStart: 1000,
      windowEnd: 2000,
      subscribers: 2,
    });
    expect(summary).toEqual({ eventsPerSecond: 3, delivered: 2, expected: 2, p50Ms: -2, p99Ms: 10, maxMs: 10 });
  });

  it('prints n/a and the reason for a target that was not measured', () => {
    const measured: SubscriptionMeasurement = {
      target: 'supergate',
      subscribers: 1000,
      connections: 1000,
      summary: { eventsPerSecond: 1990.4, delivered: 20_000, expected: 20_000, p50Ms: 12.34, p99Ms: 56.78, maxMs: 90 },
      wrongEvents: 0,
      endedEarly: 0,
      gatewayCpuPercent: 97.6,
      rssBeforeMb: 100,
      rssConnectedMb: 150,
      rssAfterMb: 160,
    };
    const table = formatSubscriptionsTable(SUBSCRIPTION_TARGETS.slice(0, 2), [measured], ['hive: could not install @graphql-hive/gateway | offline']);
    const [, , supergate, hive] = table.split('\n');
    expect(supergate!.split('|').map((cell) => cell.trim())).toEqual([
      '',
      'supergate',
      '1000/1000',
      '1990',
      '20000/20000',
      '12.3',
      '56.8',
      '90.0',
      '0/0',
      '98',
      '100',
      '150',
      '51.2',
      '160',
      '',
      '',
    ]);
    expect(hive).toMatch(/^\| hive +\| +n\/a \|/);
    expect(hive).toContain('not measured: could not install @graphql-hive/gateway / offline');
  });

  it("replaces only its own section of RESULTS.md, or appends one, leaving the other workloads' figures as they were", () => {
    const shop = '# Benchmark results\n\n| target | req/s |\n|---|---:|\n| stock | 100 |\n';
    const benchmark = '## Public gateway benchmark\n\n| row | target |\n\n### Settings per row\n\n- dedup-on\n';
    const first = replaceSection(`${shop}\n${benchmark}`, `${SECTION_HEADING}\n\nold figures\n\n### How the targets ran\n\n- a\n`);
    expect(first).toBe(`${shop}\n${benchmark}\n${SECTION_HEADING}\n\nold figures\n\n### How the targets ran\n\n- a\n`);
    const soak = '## Soak\n\nminute 1\n';
    const second = replaceSection(`${first}\n${soak}`, `${SECTION_HEADING}\n\nnew figures\n`);
    expect(second).toBe(`${shop}\n${benchmark}\n${SECTION_HEADING}\n\nnew figures\n\n${soak}`);
    expect(replaceSection(second, `${SECTION_HEADING}\n\nnewer\n`)).toBe(`${shop}\n${benchmark}\n${SECTION_HEADING}\n\nnewer\n\n${soak}`);
  });

  it('keeps a distinct-callers run in a section of its own beside the one-caller run', () => {
    const oneCaller = `${SECTION_HEADING}\n\none caller\n`;
    const both = replaceSection(oneCaller, `${DISTINCT_CALLERS_HEADING}\n\nmany callers\n`);
    expect(both).toBe(`${SECTION_HEADING}\n\none caller\n\n${DISTINCT_CALLERS_HEADING}\n\nmany callers\n`);
    expect(replaceSection(both, `${SECTION_HEADING}\n\nagain\n`)).toBe(`${SECTION_HEADING}\n\nagain\n\n${DISTINCT_CALLERS_HEADING}\n\nmany callers\n`);
  });
});
