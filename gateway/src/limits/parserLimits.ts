import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode } from '../../../lib/errors.js';
import { NESTING_PER_DEPTH, queryTooComplex, tooDeeplyNested } from './enforceQueryLimits.js';

/** graphql-js's words (typo included) when `parse` stops at `maxLexicalTokens`. */
const TOKEN_LIMIT_MESSAGE = /^Syntax Error: Document contains more th(?:an|at) (\d+) tokens\. Parsing aborted\.$/;

/** What the parser throws when a document nests deeper than the stack: it is caught, and costs no more than reading the document. */
const STACK_EXHAUSTED_MESSAGE = 'Maximum call stack size exceeded';

/**
 * Apollo reports a document over the parser's `maxLexicalTokens`, or nested too
 * deep to parse, as a syntax error; clients get it as the `tokens` or `depth`
 * query limit instead, like every other limit.
 */
export function asParserLimitError(formatted: GraphQLFormattedError, maxDepth: number): GraphQLFormattedError {
  if (formatted.extensions?.['code'] !== ErrorCode.GraphQLParseFailed) return formatted;
  const maxTokens = TOKEN_LIMIT_MESSAGE.exec(formatted.message)?.[1];
  if (maxTokens !== undefined) return refusal(queryTooComplex('tokens', undefined, Number(maxTokens)).message, 'tokens', Number(maxTokens));
  if (!formatted.message.includes(STACK_EXHAUSTED_MESSAGE)) return formatted;
  const maxNesting = maxDepth * NESTING_PER_DEPTH;
  return refusal(tooDeeplyNested(undefined, maxNesting).message, 'depth', maxNesting);
}

function refusal(message: string, limit: 'tokens' | 'depth', max: number): GraphQLFormattedError {
  return { message, extensions: { code: ErrorCode.QueryTooComplex, limit, max } };
}
