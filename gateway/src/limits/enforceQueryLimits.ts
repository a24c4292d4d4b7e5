import type { QueryLimits } from '../config.js';
import { ErrorCode, GraphQLErrorWithCode } from '../errors.js';
import type { OperationMeasure } from './measureOperation.js';

const LABELS: Readonly<Record<keyof OperationMeasure, string>> = {
  depth: 'depth',
  aliases: 'alias count',
  rootFields: 'root field count',
  cost: 'estimated cost',
};

/** Refuses an operation over any limit with HTTP 400 and `QUERY_TOO_COMPLEX`, naming the limit. */
export function enforceQueryLimits(measure: OperationMeasure, limits: QueryLimits): void {
  for (const limit of ['depth', 'aliases', 'rootFields', 'cost'] as const) {
    const value = measure[limit];
    const max = limits[limit];
    if (value <= max) continue;
    const shown = value >= 1e15 ? 'over 10^15' : String(value);
    throw new GraphQLErrorWithCode(ErrorCode.QueryTooComplex, `The operation's ${LABELS[limit]} is ${shown}; the limit is ${max}.`, {
      status: 400,
      extensions: { limit, max },
    });
  }
}
