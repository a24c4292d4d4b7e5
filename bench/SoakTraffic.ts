import type autocannon from 'autocannon';
import { QUERIES, requestBody } from './queries.js';

/** What one kind of request got back over a stretch of the run. */
export interface KindCounts {
  readonly answers: number;
  /** HTTP 200 without GraphQL errors. */
  readonly ok: number;
  /** HTTP 200 carrying GraphQL errors. */
  readonly graphqlErrors: number;
  /** Answers by HTTP status other than 200. */
  readonly otherStatuses: Readonly<Record<string, number>>;
  readonly cacheHits: number;
  /** The first few distinct error messages, with their `extensions.code`. */
  readonly sampleErrors: readonly string[];
}

export interface SoakTrafficOptions {
  /** Bearer tokens for users u1..u60, used in turn by reads and writes. */
  readonly tokens: readonly string[];
  /** Products the mutations review half of the time: the ones the cached five-subgraph answer holds. */
  readonly hotUpcs: readonly string[];
  /** Mutations per minute over all users. @default 60 */
  readonly mutationsPerMinute?: number;
}

type Kind = 'five-subgraph' | 'small' | 'product by varying upc' | 'five-subgraph, cache-control: no-cache' | 'addReview';

/** Reads by share of the traffic; mutations are sent on a clock instead, so their rate does not follow throughput. */
const READS: readonly { readonly kind: Kind; readonly share: number }[] = [
  { kind: 'five-subgraph', share: 0.45 },
  { kind: 'small', share: 0.35 },
  { kind: 'product by varying upc', share: 0.1 },
  { kind: 'five-subgraph, cache-control: no-cache', share: 0.1 },
];

const PRODUCT_COUNT = 1000;
const PRODUCT_QUERY = 'query Product($upc: String!) { product(upc: $upc) { upc name price inStock } }';
const ADD_REVIEW = 'mutation AddReview($upc: String!, $body: String!, $rating: Int!) { addReview(upc: $upc, body: $body, rating: $rating) { id rating } }';
const MAX_SAMPLE_ERRORS = 5;

/**
 * The soak's request mix for autocannon: the two bench queries, reads that the cache
 * cannot answer (varying variables, `cache-control: no-cache`), and a steady trickle of
 * `addReview` mutations spread over the users so that none nears its 5-per-minute limit.
 */
export class SoakTraffic {
  private readonly bodies: Readonly<Record<'five-subgraph' | 'small', string>>;
  private readonly mutationIntervalMs: number;
  private nextMutationAt = Date.now();
  private sent = 0;
  private mutations = 0;
  private counts = new Map<Kind, MutableCounts>();

  constructor(private readonly options: SoakTrafficOptions) {
    if (options.tokens.length === 0) throw new Error('SoakTraffic needs at least one token');
    const body = (name: string): string => requestBody(QUERIES.find((query) => query.name === name) ?? missingQuery(name));
    this.bodies = { 'five-subgraph': body('five-subgraph'), small: body('small') };
    this.mutationIntervalMs = 60_000 / (options.mutationsPerMinute ?? 60);
  }

  /** The one autocannon request entry; it picks what to send each time a connection is free. */
  request(): autocannon.Request {
    return {
      method: 'POST',
      setupRequest: (request, context) => {
        const { kind, headers, body } = this.next();
        (context as { kind?: Kind }).kind = kind;
        return { ...request, method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body };
      },
      onResponse: (status, body, context, headers) => {
        const kind = (context as { kind?: Kind }).kind;
        if (kind !== undefined) this.record(kind, status, body, headers);
      },
    };
  }

  /** Counts since the last call, by kind, and starts new ones. */
  takeCounts(): ReadonlyMap<string, KindCounts> {
    const taken = this.counts;
    this.counts = new Map();
    return taken;
  }

  private next(): { kind: Kind; headers: Record<string, string>; body: string } {
    this.sent += 1;
    const token = this.options.tokens[this.sent % this.options.tokens.length]!;
    const authorization = `Bearer ${token}`;
    const now = Date.now();
    if (now >= this.nextMutationAt) {
      // Catch up at most one interval, so a stall does not end in a burst.
      this.nextMutationAt = Math.max(this.nextMutationAt + this.mutationIntervalMs, now);
      this.mutations += 1;
      const writer = this.options.tokens[this.mutations % this.options.tokens.length]!;
      const hot = this.options.hotUpcs;
      const upc = this.mutations % 2 === 0 && hot.length > 0 ? hot[this.mutations % hot.length]! : String(1 + Math.floor(Math.random() * PRODUCT_COUNT));
      const variables = { upc, body: `Soak review ${this.mutations}: still works.`, rating: 1 + (this.mutations % 5) };
      return { kind: 'addReview', headers: { authorization: `Bearer ${writer}` }, body: JSON.stringify({ query: ADD_REVIEW, variables }) };
    }
    const kind = pickRead(Math.random());
    switch (kind) {
      case 'five-subgraph':
      case 'small':
        return { kind, headers: { authorization }, body: this.bodies[kind] };
      case 'product by varying upc':
        return {
          kind,
          headers: { authorization },
          body: JSON.stringify({ query: PRODUCT_QUERY, variables: { upc: String(1 + Math.floor(Math.random() * PRODUCT_COUNT)) } }),
        };
      case 'five-subgraph, cache-control: no-cache':
        return { kind, headers: { authorization, 'cache-control': 'no-cache' }, body: this.bodies['five-subgraph'] };
      case 'addReview':
        throw new Error('mutations are sent on the clock, not picked');
    }
  }

  private record(kind: Kind, status: number, body: string, headers: autocannon.Request['headers']): void {
    let counts = this.counts.get(kind);
    if (counts === undefined) {
      counts = { answers: 0, ok: 0, graphqlErrors: 0, otherStatuses: {}, cacheHits: 0, sampleErrors: [] };
      this.counts.set(kind, counts);
    }
    counts.answers += 1;
    if (headerValue(headers, 'x-cache')?.toUpperCase() === 'HIT') counts.cacheHits += 1;
    const hasErrors = body.includes('"errors"');
    if (status === 200 && !hasErrors) {
      counts.ok += 1;
      return;
    }
    if (status === 200) counts.graphqlErrors += 1;
    else counts.otherStatuses[String(status)] = (counts.otherStatuses[String(status)] ?? 0) + 1;
    if (counts.sampleErrors.length < MAX_SAMPLE_ERRORS) {
      const sample = `HTTP ${status}: ${describeErrors(body)}`;
      if (!counts.sampleErrors.includes(sample)) counts.sampleErrors.push(sample);
    }
  }
}

interface MutableCounts {
  answers: number;
  ok: number;
  graphqlErrors: number;
  otherStatuses: Record<string, number>;
  cacheHits: number;
  sampleErrors: string[];
}

function pickRead(draw: number): Kind {
  let cumulative = 0;
  for (const read of READS) {
    cumulative += read.share;
    if (draw < cumulative) return read.kind;
  }
  return READS[0]!.kind;
}

function missingQuery(name: string): never {
  throw new Error(`bench/queries.ts has no query named ${name}`);
}

function headerValue(headers: autocannon.Request['headers'], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/** The errors' messages and codes, short enough for one line. */
function describeErrors(body: string): string {
  try {
    const parsed = JSON.parse(body) as { errors?: { message?: unknown; extensions?: { code?: unknown } }[] };
    if (Array.isArray(parsed.errors) && parsed.errors.length > 0) {
      return parsed.errors
        .map((error) => `${typeof error.extensions?.code === 'string' ? error.extensions.code : 'no code'}: ${String(error.message)}`)
        .join('; ')
        .slice(0, 200);
    }
  } catch {
    // Not JSON: show it as it came.
  }
  return body.slice(0, 200);
}
