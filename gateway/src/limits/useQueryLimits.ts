import type { CostDirectives } from './costDirectives.js';
import { OperationMemo } from '../OperationMemo.js';
import type { SupergatePlugin } from '../plugins/SupergatePlugin.js';
import { enforceQueryLimits, type MeasuredQueryLimits } from './enforceQueryLimits.js';

/** The largest operation accepted; each limit as the gateway's `QUERY_MAX_*` settings document it. */
export interface QueryLimitsOptions {
  /** Directives on an operation's selections, counted at every place a fragment is used. @default 50 */
  readonly directives?: number;
  /** Selections an operation expands to, counted without expanding it. @default 10000 */
  readonly selections?: number;
  /** Deepest field nesting. @default 12 */
  readonly depth?: number;
  /** Aliased fields, `__typename` and introspection included. @default 30 */
  readonly aliases?: number;
  /** Fields at the root of an operation once fragments are flattened. @default 20 */
  readonly rootFields?: number;
  /** Estimated cost of one operation. @default 50000 */
  readonly cost?: number;
  /** Assumed length of a list that neither a slicing argument nor `@listSize(assumedSize:)` sizes. @default 10 */
  readonly defaultListSize?: number;
}

/** The defaults of `QueryLimitsOptions`, which are also those of the `QUERY_MAX_*` settings. */
export const DEFAULT_QUERY_LIMITS: MeasuredQueryLimits = Object.freeze({
  directives: 50,
  selections: 10_000,
  depth: 12,
  aliases: 30,
  rootFields: 20,
  cost: 50_000,
  defaultListSize: 10,
});

/**
 * Refuses, with HTTP 400 and `QUERY_TOO_COMPLEX` naming the limit, an operation
 * that is too deep, too wide, too aliased or too costly, before anything is
 * planned; measures the operation the client sent, each document once per set
 * of list sizes. Leaves the estimated cost on the operation for `useRateLimits`.
 * (Lexical tokens are limited while parsing, by the gateway's `QUERY_MAX_TOKENS`.)
 */
export function useQueryLimits(options: QueryLimitsOptions = {}): SupergatePlugin {
  const limits: MeasuredQueryLimits = { ...DEFAULT_QUERY_LIMITS, ...options };
  const memo = new OperationMemo();
  let measureOptions: { readonly defaultListSize: number; readonly costDirectives: CostDirectives } | undefined;
  return {
    name: 'queryLimits',
    onSupergraph({ costDirectives }) {
      measureOptions = { defaultListSize: limits.defaultListSize, costDirectives };
      memo.forget();
    },
    onOperation(operation) {
      if (measureOptions === undefined) throw new Error('useQueryLimits: no supergraph loaded');
      const measure = memo.measure(operation.schema, operation.request.document, operation.operation, operation.variables, measureOptions);
      enforceQueryLimits(measure, limits);
      operation.cost = measure.cost;
    },
  };
}
