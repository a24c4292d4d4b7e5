import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';

/** How often an unknown `kid` may trigger a new fetch of the key set. */
const REFETCH_INTERVAL_MS = 30_000;

/**
 * Public keys from a JWKS endpoint, fetched on first use and cached by `kid`.
 * An unknown `kid` (a rotated key) refetches the set, at most once per 30 s,
 * so a flood of forged kids cannot turn into a flood of fetches.
 */
export class JwksKeyStore {
  private keys = new Map<string, KeyObject>();
  private lastFetchAt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | undefined;

  constructor(
    private readonly url: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The key for `kid`, or `undefined` when the provider does not publish it. */
  async get(kid: string): Promise<KeyObject | undefined> {
    const cached = this.keys.get(kid);
    if (cached !== undefined) return cached;
    if (this.now() - this.lastFetchAt < REFETCH_INTERVAL_MS) {
      await this.inflight;
      return this.keys.get(kid);
    }
    this.inflight ??= this.refresh().finally(() => {
      this.inflight = undefined;
    });
    await this.inflight;
    return this.keys.get(kid);
  }

  private async refresh(): Promise<void> {
    this.lastFetchAt = this.now();
    try {
      const response = await fetch(this.url, { signal: AbortSignal.timeout(5_000), headers: { accept: 'application/json' } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const body = (await response.json()) as { keys?: unknown };
      if (!Array.isArray(body.keys)) throw new Error('no "keys" array');
      const keys = new Map<string, KeyObject>();
      for (const jwk of body.keys as (JsonWebKey & { kid?: string; use?: string })[]) {
        if (typeof jwk.kid !== 'string' || (jwk.use !== undefined && jwk.use !== 'sig')) continue;
        try {
          keys.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }));
        } catch {
          // A key of a type this runtime cannot import is skipped; the others still verify.
        }
      }
      this.keys = keys;
    } catch (error) {
      // Keep the keys we had: a provider outage must not sign everybody out.
      console.error(`[gateway] could not fetch the JWKS key set: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
