/**
 * A scope as it is compared: a non-empty string without whitespace or control
 * characters. Anything else could read as two scopes to one reader and as one
 * to another, so a token carrying it is refused rather than re-read.
 */
export function isScopeToken(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && !/[\s\p{Cc}]/u.test(value);
}
