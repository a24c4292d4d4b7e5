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
    for (const tag of tags) stamp.set(this.stampKey(tag), String(epoch), { EX: STAMP_TTL_SECONDS });
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

/** The same protocol in one process's memory, for a gateway without Redis. */
export class MemoryTagIndex implements TagIndex {
  private currentEpoch = 0;
  private readonly keysByTag = new Map<string, { keys: Set<string>; expiresAt: number }>();
  private readonly stamps = new Map<string, { epoch: number; expiresAt: number }>();

  async epoch(): Promise<number> {
    return this.currentEpoch;
  }

  async add(tags: readonly string[], key: string, ttlSeconds: number): Promise<void> {
    const expiresAt = Date.now() + ttlSeconds * 1000;
    for (const tag of tags) {
      const entry = this.live(this.keysByTag, tag);
      if (entry === undefined) this.keysByTag.set(tag, { keys: new Set([key]), expiresAt });
      else {
        entry.keys.add(key);
        entry.expiresAt = Math.max(entry.expiresAt, expiresAt);
      }
    }
  }

  async invalidatedSince(tags: readonly string[], epoch: number): Promise<boolean> {
    return tags.some((tag) => (this.live(this.stamps, tag)?.epoch ?? 0) > epoch);
  }

  async invalidate(tags: readonly string[]): Promise<string[]> {
    this.currentEpoch += 1;
    const expiresAt = Date.now() + STAMP_TTL_SECONDS * 1000;
    const keys = new Set<string>();
    for (const tag of tags) {
      this.stamps.set(tag, { epoch: this.currentEpoch, expiresAt });
      for (const key of this.live(this.keysByTag, tag)?.keys ?? []) keys.add(key);
      this.keysByTag.delete(tag);
    }
    return [...keys];
  }

  private live<T extends { expiresAt: number }>(map: Map<string, T>, tag: string): T | undefined {
    const entry = map.get(tag);
    if (entry !== undefined && entry.expiresAt <= Date.now()) {
      map.delete(tag);
      return undefined;
    }
    return entry;
  }
}
