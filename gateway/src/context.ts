import type { BaseContext } from '@apollo/server';
import type { Viewer } from './auth/Viewer.js';
import type { FetchEpoch } from './cache/FetchEpoch.js';
import type { PreparedSubscription } from './execution/queryPlans/FastQueryPlanExecutor.js';

/** What the gateway knows about one incoming request. */
export interface GatewayContext extends BaseContext {
  /** Correlates the request's log lines with its subgraph calls. */
  readonly requestId: string;
  /** The verified caller; null when the request carried no token. */
  readonly viewer: Viewer | null;
  /** Whose budgets the request spends: `user:<sub>`, or `ip:<address>` for anonymous callers. */
  readonly caller: string;
  /** Client headers on the `FORWARD_HEADERS` allow-list, passed on to subgraphs. */
  readonly forwardedHeaders: Readonly<Record<string, string>>;
  /** `Type:key` tags of the entities this request's mutations changed, as the subgraphs report them. */
  readonly changedEntities: Set<string>;
  /** The cache invalidation epoch this request's answer is fetched under. */
  readonly fetchEpoch: FetchEpoch;
  /** Present when the request came over a transport that can stream (WebSocket, SSE, multipart): where a subscription is handed to it. */
  readonly subscription?: SubscriptionSlot | undefined;
}

/** Where the pipeline leaves a subscription that passed every check, for the transport that asked to stream it. */
export interface SubscriptionSlot {
  prepared: PreparedSubscription | undefined;
  /** Equal for subscriptions whose answers are equal, which may share one upstream subscription. */
  shareKey: string | undefined;
}
