import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode } from '../../lib/errors.js';
import { asParserLimitError } from './limits/parserLimits.js';
import { SupergateError } from './plugins/SupergateError.js';

/** Codes whose messages are written for clients and safe to show in production: every code but the one masking stands for. */
const CLIENT_SAFE_CODES = new Set<string>(Object.values(ErrorCode).filter((code) => code !== ErrorCode.InternalServerError));

/**
 * Extensions a client may see; anything else (stack traces, upstream responses)
 * is dropped. `limit`/`max` come with QUERY_TOO_COMPLEX, `rule`/`retryAfter`
 * with RATE_LIMITED, as the README documents.
 */
const CLIENT_SAFE_EXTENSIONS = ['code', 'serviceName', 'argumentName', 'upc', 'limit', 'max', 'rule', 'retryAfter'];

/**
 * Shapes every error leaving the gateway. In production an error without a
 * client-safe code is replaced by a generic one, so SQL, stack traces and
 * upstream URLs never reach a client; development keeps the details. A
 * plugin's `SupergateError` is written for clients: shown whole.
 */
export function createFormatError(production: boolean, log: (error: GraphQLFormattedError) => void, maxDepth = 12) {
  return (original: GraphQLFormattedError, error?: unknown): GraphQLFormattedError => {
    const formatted = asParserLimitError(original, maxDepth);
    if (!production || error instanceof SupergateError) return formatted;
    const code = formatted.extensions?.['code'];
    if (typeof code !== 'string' || !CLIENT_SAFE_CODES.has(code)) {
      log(formatted);
      return { message: 'Internal server error', ...pathAndLocations(formatted), extensions: { code: ErrorCode.InternalServerError } };
    }
    const extensions: Record<string, unknown> = {};
    for (const key of CLIENT_SAFE_EXTENSIONS) {
      const value = formatted.extensions?.[key];
      if (value !== undefined) extensions[key] = value;
    }
    return { message: formatted.message, ...pathAndLocations(formatted), extensions };
  };
}

function pathAndLocations(formatted: GraphQLFormattedError): Pick<GraphQLFormattedError, 'path' | 'locations'> {
  return {
    ...(formatted.locations === undefined ? {} : { locations: formatted.locations }),
    ...(formatted.path === undefined ? {} : { path: formatted.path }),
  };
}
