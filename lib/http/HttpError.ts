import type { ErrorCode } from '../errors.js';

/** An error answered at the HTTP layer, before GraphQL execution starts. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    /** One of the gateway's codes, or a code of a plugin's own (`string & {}` keeps the enum's members suggested). */
    readonly code: ErrorCode | (string & {}),
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
