/** Why the fast executor leaves an operation to @apollo/gateway's: a plan shape or request it does not run itself. */
export type FallbackReason =
  | 'introspection'
  | 'unknown_root_type'
  | 'subscription'
  | 'defer'
  | 'data_rewrites'
  | 'context_rewrites'
  | 'unknown_node'
  | 'traces'
  | 'query_plan_requested'
  | 'invalid_variables'
  | 'no_supergraph';

/** Thrown while compiling a plan the fast executor does not run; the operation goes to @apollo/gateway's executor. */
export class UnsupportedPlan extends Error {
  constructor(readonly reason: FallbackReason) {
    super(`the fast executor does not run this plan (${reason})`);
  }
}
