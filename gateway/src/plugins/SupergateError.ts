import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';

export interface SupergateErrorOptions {
  /** The HTTP status of the answer: 4xx for a refusal the client can fix. */
  readonly status: number;
  /** Headers the answer carries, such as `retry-after`. @default {} */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** More `extensions` for the client to read beside `code`. @default {} */
  readonly extensions?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * A refusal written for clients, thrown from a plugin hook: the answer carries
 * `message`, `extensions.code` and the HTTP status, in production too (other
 * errors without one of the gateway's own codes are masked there).
 */
export class SupergateError extends GraphQLError {
  readonly code: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: string, message: string, options: SupergateErrorOptions) {
    const headers = options.headers ?? {};
    super(message, { extensions: { ...options.extensions, code, http: { status: options.status, headers: new HeaderMap(Object.entries(headers)) } } });
    this.name = 'SupergateError';
    this.code = code;
    this.status = options.status;
    this.headers = headers;
  }
}
