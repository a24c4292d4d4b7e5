import type { Keyv } from 'keyv';
import { LRUCache } from 'lru-cache';
import type { TagIndex } from './TagIndex.js';

export type CacheScope = 'PUBLIC' | 'PRIVATE';

/** How many decoded entries a process keeps for repeated hits, and their stored text's total length. */
export const DECODED_ENTRIES = 256;
export const DECODED_MAX_CHARACTERS = 32 * 1024 * 1024;

/** An answer holding more entities than this is not cached: every one of them would have to be indexed for purges. */
export const MAX_TAGS_PER_ANSWER = 1000;

/** One cached answer. */
export interface CachedAnswer {
  readonly data: unknown;
  /** When it was stored, in ms since the epoch. */
  readonly storedAt: number;
  readonly maxAge: number;
  readonly scope: CacheScope;
}

/** Where an operation's answer is looked for: shared by everyone, then the caller's own. */
export interface CacheKeys {
  readonly shared: string;
  /** Undefined for anonymous callers, who never read or write private answers. */
  readonly personal: string | undefined;
}

/** Stored under a shared key when the operation's answer is private, so readers look under their personal key. */
interface PrivateMarker {
  readonly v: 1;
  readonly private: true;
}
interface StoredAnswer extends CachedAnswer {
  readonly v: 1;
}
type Stored = PrivateMarker | StoredAnswer;

export interface ResponseCacheOptions {
  readonly store: Keyv<string>;
  readonly tags: TagIndex;
  /** Told about every failure of the store; the request goes on without the cache. */
  readonly onError: (error: unknown) => void;
}

/**
 * Whole answers by operation, tagged with the entities they hold. Every
 * failure of the store is a miss (or a skipped write), never a failed request;
 * an entry that does not decode is deleted and treated as a miss.
 */
export class ResponseCache {
  /** Tags a purge could not reach the store for; purged before this process reads the cache again. */
  private readonly pendingPurge = new Set<string>();
  /**
   * The last entries read, with the stored text they were decoded from: a hit
   * whose text is unchanged reuses the decoded answer, so it is neither parsed
   * nor (the same data object) serialised again. Whatever the store holds is
   * still read on every lookup, so a purge on any replica is seen at once.
   */
  private readonly decoded = new LRUCache<string, { readonly raw: string; readonly stored: Stored }>({
    max: DECODED_ENTRIES,
    maxSize: DECODED_MAX_CHARACTERS,
    sizeCalculation: ({ raw }) => Math.max(1, raw.length),
  });

  constructor(private readonly options: ResponseCacheOptions) {}

  async lookup(keys: CacheKeys): Promise<CachedAnswer | undefined> {
    if (this.pendingPurge.size > 0 && !(await this.retryPendingPurge())) return undefined;
    const shared = await this.read(keys.shared);
    if (shared === undefined || !('private' in shared)) return answerOf(shared);
    if (keys.personal === undefined) return undefined;
    const personal = await this.read(keys.personal);
    return personal === undefined || 'private' in personal ? undefined : answerOf(personal);
  }

  /** The epoch a miss notes before it fetches; undefined when the store is unreachable (then nothing is stored). */
  async epoch(): Promise<number | undefined> {
    return this.attempt(() => this.options.tags.epoch());
  }

  /** Stores an answer unless it holds more than `MAX_TAGS_PER_ANSWER` entities; returns whether it did. */
  async store(keys: CacheKeys, answer: CachedAnswer, tags: readonly string[], fetchedSinceEpoch: number): Promise<boolean> {
    const key = answer.scope === 'PRIVATE' ? keys.personal : keys.shared;
    if (key === undefined || tags.length > MAX_TAGS_PER_ANSWER) return false;
    const ttlMs = answer.maxAge * 1000;
    await this.attempt(async () => {
      const writes: Promise<unknown>[] = [this.options.store.set(key, JSON.stringify({ v: 1, ...answer } satisfies StoredAnswer), ttlMs)];
      if (answer.scope === 'PRIVATE') writes.push(this.options.store.set(keys.shared, JSON.stringify({ v: 1, private: true } satisfies PrivateMarker), ttlMs));
      writes.push(this.options.tags.add(tags, key, answer.maxAge));
      await Promise.all(writes);
      if (await this.options.tags.invalidatedSince(tags, fetchedSinceEpoch)) await this.options.store.delete(key);
    });
    return true;
  }

  /** Deletes every answer holding any of the tagged entities; returns how many. */
  async purge(tags: readonly string[]): Promise<number> {
    if (tags.length === 0) return 0;
    const purged = await this.attempt(async () => {
      const keys = await this.options.tags.invalidate(tags);
      if (keys.length > 0) await this.options.store.deleteMany(keys);
      return keys.length;
    });
    if (purged === undefined) for (const tag of tags) this.pendingPurge.add(tag);
    return purged ?? 0;
  }

  private async retryPendingPurge(): Promise<boolean> {
    const tags = [...this.pendingPurge];
    this.pendingPurge.clear();
    await this.purge(tags);
    return this.pendingPurge.size === 0;
  }

  private async read(key: string): Promise<Stored | undefined> {
    const raw = await this.attempt(() => this.options.store.get(key));
    if (raw === undefined) return undefined;
    const known = this.decoded.get(key);
    if (known?.raw === raw) return known.stored;
    const decoded = decode(raw);
    if (decoded === undefined) {
      this.decoded.delete(key);
      await this.attempt(() => this.options.store.delete(key));
    } else if (typeof raw === 'string') {
      this.decoded.set(key, { raw, stored: decoded });
    }
    return decoded;
  }

  private async attempt<T>(work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await work();
    } catch (error) {
      this.options.onError(error);
      return undefined;
    }
  }
}

function answerOf(stored: StoredAnswer | undefined): CachedAnswer | undefined {
  if (stored === undefined) return undefined;
  const { data, storedAt, maxAge, scope } = stored;
  return { data, storedAt, maxAge, scope };
}

function decode(raw: unknown): Stored | undefined {
  if (typeof raw !== 'string') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || (value as { v?: unknown }).v !== 1) return undefined;
  const stored = value as Partial<StoredAnswer & PrivateMarker>;
  if (stored.private === true) return stored as PrivateMarker;
  const valid =
    typeof stored.storedAt === 'number' && typeof stored.maxAge === 'number' && (stored.scope === 'PUBLIC' || stored.scope === 'PRIVATE') && 'data' in stored;
  return valid ? (stored as StoredAnswer) : undefined;
}
