import type { CachePolicy, SubgraphRequest, SubgraphResponse } from '../execution/executorTypes.js';

type CacheHint = Parameters<CachePolicy['restrict']>[0];

/**
 * The cache hint a subgraph's `Cache-Control` header gives, read as @apollo/gateway reads it:
 * `max-age` in whole seconds (0 when absent or not plain digits), and `private` or `public`
 * as the scope (`public` when both are there). Directive names are matched exactly, in lower case.
 */
export function cacheHintOf(cacheControl: string | null | undefined): CacheHint {
  const directives = new Map<string, string | true>();
  for (const part of cacheControl ? cacheControl.trim().split(/\s*,\s*/) : []) {
    const [name = '', value] = part.split(/\s*=\s*/, 2);
    directives.set(name, value === undefined ? true : value.replace(/^"|"$/g, ''));
  }
  const maxAge = directives.get('max-age');
  const hint: CacheHint = { maxAge: typeof maxAge === 'string' && /^[0-9]+$/.test(maxAge) ? Number(maxAge) : 0 };
  if (directives.get('private') === true) hint.scope = 'PRIVATE';
  if (directives.get('public') === true) hint.scope = 'PUBLIC';
  return hint;
}

/** Narrows the client request's cache policy by a subgraph answer's hint, so an answer is cached no longer, nor more widely, than its parts allow. */
export function restrictCachePolicy(request: SubgraphRequest, response: SubgraphResponse): void {
  if (!('incomingRequestContext' in request)) return;
  const policy: unknown = request.incomingRequestContext.overallCachePolicy;
  if (typeof policy !== 'object' || policy === null || !('restrict' in policy)) return;
  (policy as CachePolicy).restrict(cacheHintOf(response.http?.headers.get('cache-control')));
}
