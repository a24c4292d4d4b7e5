/** Who is calling, as the gateway established from a verified token. */
export interface Viewer {
  /** The token's subject (user id). */
  readonly sub: string;
  readonly scopes: ReadonlySet<string>;
}

/** Reads scopes from a space-separated `scope` claim or a `scopes` array, as identity providers differ. */
export function scopesOf(claims: Record<string, unknown>): Set<string> {
  const scopes = new Set<string>();
  const scope = claims['scope'];
  if (typeof scope === 'string') for (const s of scope.split(' ')) if (s !== '') scopes.add(s);
  const list = claims['scopes'];
  if (Array.isArray(list)) for (const s of list) if (typeof s === 'string' && s !== '') scopes.add(s);
  return scopes;
}
