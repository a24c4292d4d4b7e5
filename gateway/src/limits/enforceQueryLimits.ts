import { ErrorCode, GraphQLErrorWithCode } from '../../../lib/errors.js';
import type { QueryLimits } from '../config.js';
import type { OperationMeasure } from './measureOperation.js';

/** The limits checked on a validated operation; `tokens` is checked while parsing. */
export type MeasuredQueryLimits = Omit<QueryLimits, 'tokens'>;

/** What `extensions.limit` names: every limit, in the order they are checked. */
export type QueryLimitName = 'tokens' | Exclude<keyof OperationMeasure, 'nesting'>;

/**
 * Selection sets may nest this many times deeper than fields may: inline
 * fragments and spreads nest without adding depth, and past a few hundred
 * levels the parser and the query planner run out of stack.
 */
export const NESTING_PER_DEPTH = 8;

const LABELS: Readonly<Record<QueryLimitName, string>> = {
  tokens: 'token count',
  directives: 'directive count',
  selections: 'selection count (with every fragment expanded)',
  depth: 'depth',
  aliases: 'alias count',
  rootFields: 'root field count',
  cost: 'estimated cost',
};

/** Checked after validation, cheapest and most telling first; tokens are checked while parsing. */
const MEASURED_LIMITS = ['directives', 'selections', 'depth', 'aliases', 'rootFields', 'cost'] as const;

/** Refuses an operation over any limit with HTTP 400 and `QUERY_TOO_COMPLEX`, naming the limit. */
export function enforceQueryLimits(measure: OperationMeasure, limits: MeasuredQueryLimits): void {
  for (const limit of MEASURED_LIMITS) {
    if (limit === 'depth' && measure.nesting > limits.depth * NESTING_PER_DEPTH) throw tooDeeplyNested(measure.nesting, limits.depth * NESTING_PER_DEPTH);
    if (measure[limit] > limits[limit]) throw queryTooComplex(limit, measure[limit], limits[limit]);
  }
}

/** Selection sets nested past what the parser or planner can take, reported as the depth limit they are a part of. */
export function tooDeeplyNested(nesting: number | undefined, max: number): GraphQLErrorWithCode {
  return new GraphQLErrorWithCode(
    ErrorCode.QueryTooComplex,
    `The operation's selection sets nest ${nesting === undefined ? 'too deep to parse' : `${nesting} deep`}, counting inline fragments and spreads; the limit is ${max}.`,
    { status: 400, extensions: { limit: 'depth', max } },
  );
}

export function queryTooComplex(limit: QueryLimitName, value: number | undefined, max: number): GraphQLErrorWithCode {
  const shown = value === undefined ? `over ${max}` : value >= 1e15 ? 'over 10^15' : String(value);
  return new GraphQLErrorWithCode(ErrorCode.QueryTooComplex, `The operation's ${LABELS[limit]} is ${shown}; the limit is ${max}.`, {
    status: 400,
    extensions: { limit, max },
  });
}
