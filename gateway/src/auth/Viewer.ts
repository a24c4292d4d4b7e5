import { isScopeToken } from '../../../lib/scopes.js';

/** Who is calling, as the gateway established from a verified token. */
export interface Viewer {
  /** The token's subject (user id). */
  readonly sub: string;
  readonly scopes: ReadonlySet<string>;
  /** When the token stops being valid (its `exp`, in epoch milliseconds); a subscription ends then. Absent for a token without `exp`. */
  readonly expiresAt?: number;
}

/**
 * Reads scopes from a space-separated `scope` claim and a `scopes` array, as
 * identity providers differ. `null` when a scope holds whitespace or control
 * characters: read once here as one scope, it could be read elsewhere as two.
 */
export function scopesOf(claims: Record<string, unknown>): Set<string> | null {
  const scopes = new Set<string>();
  const scope = claims['scope'];
  if (scope !== undefined) {
    if (typeof scope !== 'string') return null;
    for (const s of scope.split(' ')) {
      if (s === '') continue;
      if (!isScopeToken(s)) return null;
      scopes.add(s);
    }
  }
  const list = claims['scopes'];
  if (list !== undefined) {
    if (!Array.isArray(list) || !list.every(isScopeToken)) return null;
    for (const s of list) scopes.add(s);
  }
  return scopes;
}
