import { fileURLToPath } from 'node:url';
import { HIVE_GATEWAY_VERSION, installHiveGateway } from '../installHiveGateway.js';
import { HIVE_SUBSCRIPTIONS_SWITCH } from '../targets/switches.js';
import { readCounter } from '../../test/support/http.js';
import { SUPERGATE_ENTRY, SUPERGATE_ENV } from '../targets.js';

/** How many subscribers the run holds, and how they share connections. */
export interface SubscriberLoad {
  readonly subscribers: number;
  readonly perConnection: number;
}

/** A gateway the subscriptions workload measures. */
export interface SubscriptionTarget {
  readonly name: string;
  /** One line for `--help` and the results. */
  readonly description: string;
  /** Script run with `node --import tsx`; it prints `listening on <url>` once it serves. */
  readonly entry: string;
  /** Environment on top of the bench's (`PORT=0`, `HOST`, `SUBGRAPH_<NAME>_URL`, the gateway signing key). */
  readonly env: (load: SubscriberLoad) => Readonly<Record<string, string>>;
  /** The settings `env` stands for, for the results. */
  readonly settings: (load: SubscriberLoad) => string;
  /** How many client subscriptions it holds now, read from the gateway itself; undefined when it cannot say, and the subgraph's count stands in (one upstream subscription per client). */
  readonly subscribed?: (graphqlUrl: string) => Promise<number>;
  /** Why it cannot run on this machine; may first install what it needs. @default always runs */
  readonly unavailable?: (log: (line: string) => void) => Promise<string | undefined>;
}

/**
 * Every subscriber is the same signed-in caller on the same address, so the per-caller and
 * per-process caps are raised to the run's size, as the bench raises rate limits above its load.
 */
function supergateCaps({ subscribers, perConnection }: SubscriberLoad): Record<string, string> {
  return {
    SUBSCRIPTIONS_MAX_PER_CALLER: String(Math.max(100, subscribers)),
    SUBSCRIPTIONS_MAX: String(Math.max(10_000, subscribers)),
    SUBSCRIPTIONS_MAX_PER_CONNECTION: String(Math.max(100, perConnection)),
  };
}

/** In run order; each one's expectation query must answer what the first one's did. */
export const SUBSCRIPTION_TARGETS: readonly SubscriptionTarget[] = [
  {
    name: 'supergate',
    description:
      'the real gateway process (gateway/src/index.ts), GATEWAY_WORKERS=1, every edge check on (the token in connection_init verified, limits, authorization); rate limits and subscription caps raised above the load',
    entry: SUPERGATE_ENTRY,
    env: (load) => ({ ...SUPERGATE_ENV, RESPONSE_CACHE: 'off', ...supergateCaps(load) }),
    // Equal subscribers share one upstream subscription, so the subgraph's count says nothing of how many are subscribed.
    subscribed: (graphqlUrl) => readCounter(graphqlUrl, 'gateway_subscriptions_active'),
    settings: (load) =>
      `RESPONSE_CACHE=off, RATE_LIMIT_REQUESTS=${SUPERGATE_ENV['RATE_LIMIT_REQUESTS'] ?? 'default'}, ${Object.entries(supergateCaps(load))
        .map(([name, value]) => `${name}=${value}`)
        .join(', ')}; everything else at its default (SUBGRAPH_DEDUPLICATION on, SUBSCRIPTION_BUFFER_EVENTS 100)`,
  },
  {
    name: 'hive',
    description: `Hive Gateway ${HIVE_GATEWAY_VERSION} (@graphql-hive/gateway runtime on node:http) with graphql-ws served at /graphql as its CLI does, subscribing to the subgraphs over graphql-ws (transportEntries subscriptions kind ws)`,
    entry: fileURLToPath(new URL('../targets/hiveGateway.ts', import.meta.url)),
    env: () => ({ [HIVE_SUBSCRIPTIONS_SWITCH]: 'on' }),
    settings: () =>
      "default options; transportEntries['*'].options.subscriptions = { kind: 'ws', location: '/graphql', options: { connectionParams: { supergate-gateway-token } } }, and a plugin (onSubgraphExecute) adding the same token to each subscription's extensions: one anonymous identity token signed at start, as the static header its HTTP calls carry",
    unavailable: (log) => installHiveGateway(log),
  },
];
