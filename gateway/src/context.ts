import type { BaseContext } from '@apollo/server';

/** What the gateway knows about one incoming request. */
export interface GatewayContext extends BaseContext {
  /** Correlates the request's log lines with its subgraph calls. */
  readonly requestId: string;
}
