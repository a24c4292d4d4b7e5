import { isDeepStrictEqual } from 'node:util';

/** The subscription every subscriber holds: each event joins accounts (username), products (name, price) and inventory (inStock) into a review. */
export const REVIEW_ADDED_SUBSCRIPTION = 'subscription ReviewAdded { reviewAdded { body author { username } product { name price inStock } } }';

/** What the driver sends straight to the reviews subgraph; the subgraph publishes the event before it answers. */
export const ADD_REVIEW_MUTATION = 'mutation AddReview($upc: String!, $body: String!) { addReview(upc: $upc, body: $body, rating: 4) { id body } }';

/** Seeded users the reviews are written as, in turn: u1..u60. */
export const AUTHOR_COUNT = 60;
/** Seeded products the reviews are about, in turn: upcs 1..20 (17 is out of stock). */
export const PRODUCT_COUNT = 20;

/** The review mutation `seq` adds: its body names the sequence number the events are matched by. */
export interface PlannedReview {
  readonly seq: number;
  readonly body: string;
  readonly authorId: string;
  readonly upc: string;
}

/** The review mutation `seq` of a run adds; `label` keeps one target's bodies apart from another's in the same database. */
export function plannedReview(label: string, seq: number): PlannedReview {
  return { seq, body: `${label} #${seq}`, authorId: `u${1 + (seq % AUTHOR_COUNT)}`, upc: String(1 + (seq % PRODUCT_COUNT)) };
}

/** The sequence number in a review body `label #<seq>`, or undefined for any other body. */
export function sequenceOf(label: string, body: unknown): number | undefined {
  if (typeof body !== 'string' || !body.startsWith(`${label} #`)) return undefined;
  const digits = body.slice(label.length + 2);
  return /^\d{1,9}$/.test(digits) ? Number(digits) : undefined;
}

/** Aliases in one expectation query, under the gateways' default alias limits (Supergate's is 30). */
const ALIASES_PER_QUERY = 20;

/**
 * Plain queries with the same join as the subscription, over every author and
 * product the reviews use: each event must equal what they answer.
 */
export function expectationQueries(): string[] {
  const fields = [
    ...Array.from({ length: AUTHOR_COUNT }, (_, index) => `a${index + 1}: user(id: "u${index + 1}") { username }`),
    ...Array.from({ length: PRODUCT_COUNT }, (_, index) => `p${index + 1}: product(upc: "${index + 1}") { name price inStock }`),
  ];
  const queries: string[] = [];
  for (let first = 0; first < fields.length; first += ALIASES_PER_QUERY)
    queries.push(`query SubscriptionExpectations { ${fields.slice(first, first + ALIASES_PER_QUERY).join(' ')} }`);
  return queries;
}

/** The event each review must arrive as, built from the expectation queries' data; throws when that data lacks an author or product. */
export class ExpectedEvents {
  private readonly authors = new Map<string, unknown>();
  private readonly products = new Map<string, unknown>();

  constructor(data: Readonly<Record<string, unknown>>) {
    for (let index = 1; index <= AUTHOR_COUNT; index += 1) this.authors.set(`u${index}`, present(data, `a${index}`));
    for (let index = 1; index <= PRODUCT_COUNT; index += 1) this.products.set(String(index), present(data, `p${index}`));
  }

  /** The whole `next` payload a subscriber must receive for `review`. */
  of(review: PlannedReview): unknown {
    return { data: { reviewAdded: { body: review.body, author: this.authors.get(review.authorId), product: this.products.get(review.upc) } } };
  }
}

function present(data: Readonly<Record<string, unknown>>, alias: string): unknown {
  const value = data[alias];
  if (typeof value !== 'object' || value === null) throw new Error(`the expectation queries answered no ${alias}: ${JSON.stringify(value)}`);
  return value;
}

/** Why an event is not the expected one, or undefined when it is (key order aside). */
export function eventProblem(event: unknown, expected: unknown): string | undefined {
  if (isDeepStrictEqual(event, expected)) return undefined;
  // The errors say why the data is wrong, so they come first, whole enough to read.
  const errors = typeof event === 'object' && event !== null ? (event as { errors?: unknown }).errors : undefined;
  if (errors !== undefined) return `errors ${clip(JSON.stringify(errors), 600)}; data ${clip(JSON.stringify((event as { data?: unknown }).data))}`;
  return `got ${clip(JSON.stringify(event))}, expected ${clip(JSON.stringify(expected))}`;
}

function clip(text: string | undefined, length = 300): string {
  const value = text ?? 'undefined';
  return value.length > length ? `${value.slice(0, length)}...` : value;
}

/** The nearest-rank percentile `p` (0 to 100) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Every correct delivery of a run, in arrival order. */
export interface Deliveries {
  /** The review each delivery carried. */
  readonly seq: readonly number[];
  /** When it arrived, `performance.now()` ms. */
  readonly at: readonly number[];
}

export interface DeliverySummary {
  /** Correct deliveries that arrived within the measured window, per second of it, whichever mutation they were for. */
  readonly eventsPerSecond: number;
  /** Deliveries of the measured mutations that were answered, and how many there should have been (answered mutations times subscribers). */
  readonly delivered: number;
  readonly expected: number;
  /** From each measured mutation's answer to each delivery of its event, ms; negative when the event came first. NaN without deliveries. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * Events per second over the measured window, and latency from each measured
 * mutation's answer to each delivery of its event.
 */
export function summariseDeliveries(run: {
  readonly deliveries: Deliveries;
  /** `performance.now()` ms when each mutation's answer arrived, by seq; NaN where it failed or never came. */
  readonly answeredAt: ArrayLike<number>;
  /** Mutations `[firstSeq, endSeq)` are measured; earlier ones warm up. */
  readonly firstSeq: number;
  readonly endSeq: number;
  /** The measured window, `performance.now()` ms. */
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly subscribers: number;
}): DeliverySummary {
  const { deliveries, answeredAt, firstSeq, endSeq } = run;
  const latencies: number[] = [];
  let inWindow = 0;
  for (let index = 0; index < deliveries.seq.length; index += 1) {
    const seq = deliveries.seq[index]!;
    const at = deliveries.at[index]!;
    if (at >= run.windowStart && at < run.windowEnd) inWindow += 1;
    const answered = seq >= firstSeq && seq < endSeq ? (answeredAt[seq] ?? Number.NaN) : Number.NaN;
    if (!Number.isNaN(answered)) latencies.push(at - answered);
  }
  let answeredMutations = 0;
  for (let seq = firstSeq; seq < endSeq; seq += 1) if (!Number.isNaN(answeredAt[seq] ?? Number.NaN)) answeredMutations += 1;
  const sorted = Float64Array.from(latencies).sort();
  const seconds = (run.windowEnd - run.windowStart) / 1000;
  return {
    eventsPerSecond: seconds > 0 ? inWindow / seconds : 0,
    delivered: latencies.length,
    expected: answeredMutations * run.subscribers,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1]!,
  };
}
