import type { BaseContext } from '@apollo/server';
import type { Viewer } from './auth/Viewer.js';

/** What the gateway knows about one incoming request. */
export interface GatewayContext extends BaseContext {
  /** Correlates the request's log lines with its subgraph calls. */
  readonly requestId: string;
  /** The verified caller; null when the request carried no token. */
  readonly viewer: Viewer | null;
}
