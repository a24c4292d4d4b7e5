import type { FormattedExecutionResult } from 'graphql';

/** What Apollo Server hands `stringifyResult`: its fields in answer order, absent ones as undefined. */
export type ResultToStringify = { readonly [Field in keyof FormattedExecutionResult]?: FormattedExecutionResult[Field] | undefined };

/** Each answer's data as JSON, and the whole answer when it is data alone, remembered for as long as the data object lives. */
const written = new WeakMap<object, { readonly data: string; readonly answer: string }>();

/**
 * Apollo Server's `stringifyResult`, writing each answer's `data` as JSON once:
 * requests that share one execution (identical operations in flight) get the
 * same data object, so every one after the first costs a lookup, not a walk
 * over the whole answer. The bytes are exactly `JSON.stringify(value)`'s,
 * with Apollo's trailing newline.
 */
export function stringifyResult(value: ResultToStringify): string {
  const { data } = value;
  if (data === null || data === undefined) return `${JSON.stringify(value)}\n`;
  let text = written.get(data);
  if (text === undefined) {
    const dataPart = JSON.stringify(data);
    text = { data: dataPart, answer: `{"data":${dataPart}}\n` };
    written.set(data, text);
  }
  // The same string for every request sharing the answer, so the HTTP layer can encode it once too.
  if (value.errors === undefined && value.extensions === undefined) return text.answer;
  const errors = value.errors === undefined ? '' : `"errors":${JSON.stringify(value.errors)},`;
  const extensions = value.extensions === undefined ? '' : `,"extensions":${JSON.stringify(value.extensions)}`;
  return `{${errors}"data":${text.data}${extensions}}\n`;
}
