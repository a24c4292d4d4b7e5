import { createRemoteJWKSet, customFetch, type JWTVerifyGetKey } from 'jose';

/** How often a token with an unknown `kid` may make the key set be fetched again. */
export const UNKNOWN_KID_REFETCH_MS = 30_000;

/** Default of JWKS_CACHE_MAX_AGE_MS: how long a fetched key set is used before it is fetched again. */
export const DEFAULT_JWKS_CACHE_MAX_AGE_MS = 600_000;

/** Public keys from a JWKS endpoint, as `jose` fetches and caches them. */
export interface RemoteKeySet {
  /** Resolves a token's key; a kid-less token needs the set to hold exactly one suitable key. */
  readonly getKey: JWTVerifyGetKey;
  /** Changes each time a fetch replaces the set, so what was verified against the old one can be checked again. */
  generation(): number;
  /** False once the set is older than its max age; the next lookup fetches it again. */
  fresh(): boolean;
}

/**
 * The key set at `url`, fetched on first use and again every `cacheMaxAgeMs`;
 * an unknown `kid` (a rotated key) refetches it at most once per 30 s, so a
 * flood of forged kids cannot turn into a flood of fetches.
 */
export function remoteKeySet(url: string, cacheMaxAgeMs: number): RemoteKeySet {
  let fetches = 0;
  const jwks = createRemoteJWKSet(new URL(url), {
    cacheMaxAge: cacheMaxAgeMs,
    cooldownDuration: UNKNOWN_KID_REFETCH_MS,
    timeoutDuration: 5_000,
    [customFetch]: async (resource, options) => {
      const response = await fetch(resource, options);
      fetches += 1;
      return response;
    },
  });
  return { getKey: jwks, generation: () => fetches, fresh: () => jwks.fresh };
}
