import { Kind, OperationTypeNode, parse, type DocumentNode } from 'graphql';

/**
 * How a subgraph call failed, as far as retrying and the circuit breaker care:
 * - `timeout`: no complete answer within the subgraph timeout;
 * - `unreachable`: no connection, one dropped before an answer came, or a 502/503/504 from a proxy in front of it;
 * - `answered`: the subgraph itself answered, with an error (any other status, a bad body).
 */
export type SubgraphFailure = 'timeout' | 'unreachable' | 'answered';

/** Sorts a failed subgraph call by its error and the HTTP status, if one came. */
export function classifyFailure(error: unknown, status: number | undefined): SubgraphFailure {
  // Checked before the status: a timeout while reading the body arrives with the 200 already received.
  if (error instanceof Error && error.name === 'TimeoutError') return 'timeout';
  if (status === undefined || status === 502 || status === 503 || status === 504) return 'unreachable';
  return 'answered';
}

/** Whether the failure means the subgraph is not there, which the breaker counts. */
export function isAvailabilityFailure(failure: SubgraphFailure): boolean {
  return failure !== 'answered';
}

/** Attempts per subgraph call: the first, and one retry. */
const MAX_ATTEMPTS = 2;

/** The longest wait before the first retry; each further retry may wait twice as long, up to the cap. */
export const RETRY_BASE_DELAY_MS = 50;
const RETRY_MAX_DELAY_MS = 1_000;

/**
 * How long to wait before retry number `retry` (1 for the first): exponential backoff with full
 * jitter, a random time up to the ceiling, so the gateway's calls that failed together do not
 * all come back to a recovering subgraph at the same moment.
 */
export function retryDelayMs(retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(RETRY_MAX_DELAY_MS, RETRY_BASE_DELAY_MS * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Whether a failed subgraph call may be sent again. Only queries: a mutation that
 * timed out may have been applied, and sending it twice could apply it twice.
 */
export function mayRetry(subgraphQuery: string, failure: SubgraphFailure, attempt: number): boolean {
  return attempt < MAX_ATTEMPTS && isAvailabilityFailure(failure) && operationTypeOf(subgraphQuery) === OperationTypeNode.QUERY;
}

/**
 * The type of the operation a subgraph request carries; undefined (never retried)
 * when the document does not parse or holds several. Parsed only after a failure, so the hot path
 * pays nothing for it.
 */
export function operationTypeOf(document: string): OperationTypeNode | undefined {
  let parsed: DocumentNode;
  try {
    parsed = parse(document, { noLocation: true });
  } catch {
    return undefined;
  }
  // The planner may put fragment definitions before the one operation.
  const operations = parsed.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  return operations.length === 1 ? operations[0]?.operation : undefined;
}
