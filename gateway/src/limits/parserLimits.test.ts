import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { asParserLimitError } from './parserLimits.js';

/** What graphql-js throws, as Apollo passes it on: a syntax error, or the stack running out. */
function parseFailure(source: string, maxTokens: number): Error {
  try {
    parse(source, { maxLexicalTokens: maxTokens });
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected parsing to fail');
}

describe('limits the parser enforces', () => {
  it('turns graphql-js refusing a document over maxTokens into QUERY_TOO_COMPLEX naming the limit', () => {
    const error = parseFailure(`{ ${'a '.repeat(100)} }`, 50);
    expect(asParserLimitError({ message: error.message, extensions: { code: 'GRAPHQL_PARSE_FAILED' } }, 12)).toEqual({
      message: "The operation's token count is over 50; the limit is 50.",
      extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'tokens', max: 50 },
    });
  });

  it('turns a document nested deeper than the parser can go into the depth limit', () => {
    const error = parseFailure(`{ ${'... on Query { '.repeat(5000)}a${' }'.repeat(5000)} }`, 1_000_000);
    expect(asParserLimitError({ message: error.message, extensions: { code: 'GRAPHQL_PARSE_FAILED' } }, 12)).toEqual({
      message: "The operation's selection sets nest too deep to parse, counting inline fragments and spreads; the limit is 96.",
      extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'depth', max: 96 },
    });
  });

  it('leaves every other syntax error as it is', () => {
    const error = parseFailure('{ a', 50);
    const formatted = { message: error.message, extensions: { code: 'GRAPHQL_PARSE_FAILED' } };
    expect(asParserLimitError(formatted, 12)).toBe(formatted);
  });
});
