import type { BaseContext } from '@apollo/server';
import type { Viewer } from './auth/Viewer.js';
import type { FetchEpoch } from './cache/FetchEpoch.js';

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
}
