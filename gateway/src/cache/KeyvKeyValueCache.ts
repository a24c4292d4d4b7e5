import type { Keyv } from 'keyv';

/**
 * Apollo Server's `KeyValueCache` interface over a Keyv store (persisted queries), where
 * a failing store is a miss: a client whose hash is not found resends the
 * query, so Redis being away costs one round trip, never a failed request.
 */
export class KeyvKeyValueCache {
  constructor(
    private readonly store: Keyv<string>,
    private readonly onError: (error: unknown) => void,
  ) {}

  async get(key: string): Promise<string | undefined> {
    try {
      return await this.store.get(key);
    } catch (error) {
      this.onError(error);
      return undefined;
    }
  }

  async set(key: string, value: string, options?: { ttl?: number | null }): Promise<void> {
    try {
      await this.store.set(key, value, typeof options?.ttl === 'number' ? options.ttl * 1000 : undefined);
    } catch (error) {
      this.onError(error);
    }
  }

  async delete(key: string): Promise<boolean | undefined> {
    try {
      return await this.store.delete(key);
    } catch (error) {
      this.onError(error);
      return undefined;
    }
  }
}
