import { createLocalJWKSet, createRemoteJWKSet, customFetch, type JWTVerifyGetKey } from 'jose';

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
 * flood of forged kids cannot turn into a flood of fetches. When the endpoint
 * cannot be reached, the last set fetched keeps verifying (a provider outage
 * must not sign everybody out) and the next try waits 30 s, so requests do
 * not each wait for a fetch that times out.
 */
export function remoteKeySet(url: string, cacheMaxAgeMs: number, onUnreachable: (reason: string) => void = logUnreachable): RemoteKeySet {
  let fetches = 0;
  let failedAt = Number.NEGATIVE_INFINITY;
  let lastKnown: JWTVerifyGetKey | undefined;
  const remote = createRemoteJWKSet(new URL(url), {
    cacheMaxAge: cacheMaxAgeMs,
    cooldownDuration: UNKNOWN_KID_REFETCH_MS,
    timeoutDuration: 5_000,
    [customFetch]: async (resource, options) => {
      try {
        const response = await fetch(resource, options);
        if (response.ok) fetches += 1;
        else failedAt = Date.now();
        return response;
      } catch (error) {
        failedAt = Date.now();
        throw error;
      }
    },
  });
  const getKey: JWTVerifyGetKey = async (header, token) => {
    if (lastKnown !== undefined && Date.now() - failedAt < UNKNOWN_KID_REFETCH_MS) return lastKnown(header, token);
    const failuresBefore = failedAt;
    try {
      return await remote(header, token);
    } catch (error) {
      const known = remote.jwks();
      // Only this lookup's own failed fetch falls back; a key the set lacks is refused as always.
      if (failedAt === failuresBefore || known === undefined) throw error;
      onUnreachable(`${url}: ${error instanceof Error ? error.message : String(error)}; verifying with the key set fetched before`);
      lastKnown = createLocalJWKSet(known);
      return lastKnown(header, token);
    }
  };
  return { getKey, generation: () => fetches, fresh: () => remote.fresh };
}

function logUnreachable(reason: string): void {
  console.error(`could not fetch the JWKS key set ${reason}`);
}
