import type { SupergatePlugin } from '../plugins/SupergatePlugin.js';
import { SharedOperations } from './SharedOperations.js';

export interface OperationDeduplicationOptions {
  /** Told each time a request joins an execution another one started. @default nothing */
  readonly onShared?: (() => void) | undefined;
}

/**
 * Identical queries in flight at once (same document after authorization,
 * variables, caller, scopes and forwarded headers) share one execution. Every
 * request has passed its own checks and spent its own budgets before it joins.
 */
export function useOperationDeduplication(options: OperationDeduplicationOptions = {}): SupergatePlugin {
  const shared = new SharedOperations(options.onShared);
  return {
    name: 'operationDeduplication',
    wrapExecute: (next) => (requestContext, operation) => shared.run(requestContext, operation.context, () => next(requestContext, operation)),
  };
}
