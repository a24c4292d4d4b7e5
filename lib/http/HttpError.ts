import type { ErrorCode } from '../errors.js';

/** An error answered at the HTTP layer, before GraphQL execution starts. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
