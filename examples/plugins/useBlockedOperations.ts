// In an application: `from 'supergate'`; inside this repository the public barrel is imported by path.
import { SupergateError, type SupergatePlugin } from '../../gateway/src/public.js';

export interface BlockedOperationsOptions {
  /** Names of the operations refused, as clients name them (`query LegacyCart { ... }`). */
  readonly names: Iterable<string>;
  /** The HTTP status of a refusal. @default 403 */
  readonly status?: number;
}

/** What a refused client reads in `extensions.code`; a stable value clients can branch on. */
export const OPERATION_BLOCKED = 'OPERATION_BLOCKED';

/**
 * Refuses operations by name (a retired client's queries, say) before anything
 * is planned, with `OPERATION_BLOCKED` and HTTP 403. Listed after the default
 * plugins, a refused request has spent its rate-limit budgets too.
 */
export function useBlockedOperations(options: BlockedOperationsOptions): SupergatePlugin {
  const blocked = new Set(options.names);
  const status = options.status ?? 403;
  return {
    name: 'blockedOperations',
    onOperation({ operationName }) {
      if (operationName !== null && blocked.has(operationName)) {
        throw new SupergateError(OPERATION_BLOCKED, `The operation ${operationName} is no longer served; update the client.`, {
          status,
          extensions: { operationName },
        });
      }
    },
  };
}
