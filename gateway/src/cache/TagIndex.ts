import { LRUCache } from 'lru-cache';
import type { RedisClient } from '../redis/RedisConnection.js';

/**
 * Which cached answers hold which entities, and when each entity last changed.
 *
 * Invalidation uses a shared epoch so no stale answer survives a write that
 * raced it: a miss notes the epoch before it fetches; a purge bumps the epoch,
 * stamps each tag with it, then deletes the answers indexed under the tag; a
 * miss indexes its answer and only then checks whether any of its tags was
 * stamped after its start, deleting its own answer if so. Whichever runs first,
 * the stale answer is deleted by one side or the other.
 */
export interface TagIndex {
  /** The current invalidation epoch. */
  epoch(): Promise<number>;
  /** Indexes `key` under each tag for at least `ttlSeconds`. */
  add(tags: readonly string[], key: string, ttlSeconds: number): Promise<void>;
  /** True when any tag was invalidated after `epoch`. */
  invalidatedSince(tags: readonly string[], epoch: number): Promise<boolean>;
  /** Stamps the tags with a new epoch and returns the keys indexed under them, forgetting them. */
  invalidate(tags: readonly string[]): Promise<string[]>;
}

/** How long a tag's invalidation stamp outlives the purge: longer than any fetch takes. */
const STAMP_TTL_SECONDS = 3600;

export class RedisTagIndex implements TagIndex {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix = 'supergate:cache',
  ) {}

  async epoch(): Promise<number> {
    return Number((await this.redis.get(`${this.prefix}:epoch`)) ?? 0);
  }

  async add(tags: readonly string[], key: string, ttlSeconds: number): Promise<void> {
    if (tags.length === 0) return;
    const multi = this.redis.multi();
    for (const tag of tags) {
      const set = this.tagKey(tag);
      multi.sAdd(set, key);
      // A new set gets the entry's TTL; an existing one is only ever extended.
      multi.expire(set, ttlSeconds, 'NX');
      multi.expire(set, ttlSeconds, 'GT');
    }
    await multi.exec();
  }

  async invalidatedSince(tags: readonly string[], epoch: number): Promise<boolean> {
    if (tags.length === 0) return false;
    const stamps = await this.redis.mGet(tags.map((tag) => this.stampKey(tag)));
    return stamps.some((stamp) => stamp !== null && Number(stamp) > epoch);
  }

  async invalidate(tags: readonly string[]): Promise<string[]> {
    if (tags.length === 0) return [];
    const epoch = await this.redis.incr(`${this.prefix}:epoch`);
    const stamp = this.redis.multi();
    for (const tag of tags) stamp.set(this.stampKey(tag), String(epoch), { expiration: { type: 'EX', value: STAMP_TTL_SECONDS } });
    await stamp.exec();
    const take = this.redis.multi();
    for (const tag of tags) take.sMembers(this.tagKey(tag)).del(this.tagKey(tag));
    const replies = await take.exec();
    const keys = new Set<string>();
    for (let i = 0; i < replies.length; i += 2) for (const key of replies[i] as unknown as string[]) keys.add(key);
    return [...keys];
  }

  private tagKey(tag: string): string {
    return `${this.prefix}:tag:${tag}`;
  }

  private stampKey(tag: string): string {
    return `${this.prefix}:stamp:${tag}`;
  }
}

/** Stamps a memory index keeps; a stamp needs to outlive only the fetches in flight when it was made. */
const MAX_STAMPS = 100_000;

/**
 * The same protocol in one process's memory, for a gateway without Redis. It
 * indexes only entries the store holds: the store calls `forget` for each
 * entry it evicts, expires or deletes, so the index never outgrows it.
 */
export class MemoryTagIndex implements TagIndex {
  private currentEpoch = 0;
  private readonly keysByTag = new Map<string, Set<string>>();
  private readonly tagsByKey = new Map<string, Set<string>>();
  private readonly stamps = new LRUCache<string, number>({ max: MAX_STAMPS, ttl: STAMP_TTL_SECONDS * 1000 });

  async epoch(): Promise<number> {
    return this.currentEpoch;
  }

  async add(tags: readonly string[], key: string): Promise<void> {
    if (tags.length === 0) return;
    let keyTags = this.tagsByKey.get(key);
    if (keyTags === undefined) {
      keyTags = new Set();
      this.tagsByKey.set(key, keyTags);
    }
    for (const tag of tags) {
      keyTags.add(tag);
      let keys = this.keysByTag.get(tag);
      if (keys === undefined) {
        keys = new Set();
        this.keysByTag.set(tag, keys);
      }
      keys.add(key);
    }
  }

  async invalidatedSince(tags: readonly string[], epoch: number): Promise<boolean> {
    return tags.some((tag) => (this.stamps.get(tag) ?? 0) > epoch);
  }

  async invalidate(tags: readonly string[]): Promise<string[]> {
    this.currentEpoch += 1;
    const keys = new Set<string>();
    for (const tag of tags) {
      this.stamps.set(tag, this.currentEpoch);
      for (const key of this.keysByTag.get(tag) ?? []) keys.add(key);
    }
    for (const key of keys) this.forget(key);
    return [...keys];
  }

  /** Drops an entry the store no longer holds from every tag it was indexed under. */
  forget(key: string): void {
    const tags = this.tagsByKey.get(key);
    if (tags === undefined) return;
    this.tagsByKey.delete(key);
    for (const tag of tags) {
      const keys = this.keysByTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.keysByTag.delete(tag);
    }
  }

  /** Entries and tags indexed now. */
  get size(): { readonly keys: number; readonly tags: number } {
    return { keys: this.tagsByKey.size, tags: this.keysByTag.size };
  }
}
