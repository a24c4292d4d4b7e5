import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createClient } from '@keyv/redis';
import { buildSchema, parse, print } from 'graphql';
import type { Keyv } from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingSelectionReads, doublingChain } from '../../../test/support/fragmentChains.js';
import type { RedisClient } from '../redis/RedisConnection.js';
import { readEntityKeys } from './entityKeys.js';
import { EntityTagger, takeEntityTags } from './entityTags.js';
import { createKeyv } from './createKeyv.js';
import { DECODED_ENTRIES, DECODED_MAX_CHARACTERS, MAX_TAGS_PER_ANSWER, ResponseCache } from './ResponseCache.js';
import { MemoryTagIndex, RedisTagIndex, type TagIndex } from './TagIndex.js';

const schema = buildSchema(`
  type Query { product(upc: String!): Product, node: Node }
  interface Node { id: ID! }
  type Product implements Node { id: ID! upc: String! name: String! reviews: [Review!]! }
  type Review implements Node { id: ID! body: String! }
`);
const keys = new Map([
  ['Product', ['upc']],
  ['Review', ['id']],
]);

describe('entity tags', () => {
  it('reads each entity type key from the supergraph', () => {
    const entityKeys = readEntityKeys(readFileSync(new URL('../../../schema/supergraph.graphql', import.meta.url), 'utf8'));
    expect(entityKeys.get('Product')).toEqual(['upc']);
    expect(entityKeys.get('User')).toEqual(['id']);
    expect(entityKeys.has('Query')).toBe(false);
  });

  it('asks for the type and key of every entity in an answer, and takes them out again', () => {
    const tagger = new EntityTagger(keys);
    const document = parse('{ product(upc: "1") { name reviews { body } } node { ... on Review { body } } }');
    const taggable = tagger.taggable(document, schema);
    expect(tagger.taggable(document, schema)).toBe(taggable);
    expect(print(taggable?.document ?? parse('{ untagged }'))).toContain('_supergateKey_upc: upc');
    const data = {
      product: {
        name: 'Lamp',
        reviews: [{ body: 'ok', _supergateTypename: 'Review', _supergateKey_id: 'r1' }],
        _supergateTypename: 'Product',
        _supergateKey_upc: '1',
      },
      node: { body: 'fine', _supergateTypename: 'Review', _supergateKey_id: 'r2' },
    };
    expect([...takeEntityTags(data)].sort()).toEqual(['Product:1', 'Review:r1', 'Review:r2']);
    expect(data).toEqual({ product: { name: 'Lamp', reviews: [{ body: 'ok' }] }, node: { body: 'fine' } });
  });

  it('tags a fragment doubling chain in linear work, keeping its fragments', () => {
    const chain = countingSelectionReads(doublingChain(20, 'name reviews { body }', { on: 'Product', root: 'product(upc: "1") { ...F0 }' }));
    const tagged = new EntityTagger(keys).taggable(chain.document, schema);
    expect(chain.reads()).toBeLessThanOrEqual(4 * chain.selectionSets);
    const written = print(chain.document).length;
    expect(print(tagged?.document ?? parse('{ untagged }')).length).toBeLessThan(3 * written);
  });

  it('adds nothing to an abstract selection none of whose types is an entity', () => {
    const abstract = buildSchema(
      'type Query { thing: Thing } interface Thing { id: ID! } type A implements Thing { id: ID! } type B implements Thing { id: ID! }',
    );
    const document = parse('{ thing { id } }');
    expect(print(new EntityTagger(keys).taggable(document, abstract)?.document ?? parse('{ untagged }'))).toBe(print(document));
  });

  it('does not tag a document that uses the reserved aliases itself', () => {
    expect(new EntityTagger(keys).taggable(parse('{ product(upc: "1") { _supergateTypename: name } }'), schema)).toBeNull();
  });
});

const redisUrl = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const redis = createClient({ url: redisUrl }) as RedisClient;

interface Stores {
  readonly store: Keyv<string>;
  readonly tags: TagIndex;
}

/** The store and index pairs the gateway builds: in memory without Redis, in Redis with it. */
function memoryStores(maxEntries = 100): Stores & { readonly tags: MemoryTagIndex } {
  const tags = new MemoryTagIndex();
  return { store: createKeyv('supergate-test', undefined, { maxEntries, maxBytes: 1024 * 1024, onRemove: (key) => tags.forget(key) }), tags };
}

function redisStores(): Stores {
  const namespace = `supergate-test:${randomUUID()}`;
  return { store: createKeyv(namespace, redis, { maxEntries: 100, maxBytes: 1024 * 1024 }), tags: new RedisTagIndex(redis, namespace) };
}

describe.each([
  ['in memory', () => memoryStores()],
  ['in Redis', redisStores],
])('invalidation %s', (_, makeStores: () => Stores) => {
  beforeAll(async () => {
    if (!redis.isOpen) await redis.connect();
  });
  afterAll(async () => {
    if (redis.isOpen) await redis.close();
  });

  const cacheWith = (stores: Stores) =>
    new ResponseCache({
      ...stores,
      onError: (error) => {
        throw error;
      },
    });
  const answer = { data: { product: { name: 'Lamp' } }, storedAt: Date.now(), maxAge: 60, scope: 'PUBLIC' as const };
  const keysFor = (name: string) => ({ shared: name, personal: undefined });

  it('purges every answer holding a changed entity and nothing else', async () => {
    const cache = cacheWith(makeStores());
    const epoch = (await cache.epoch())!;
    await cache.store(keysFor('a'), answer, ['Product:1', 'Review:r1'], epoch);
    await cache.store(keysFor('b'), answer, ['Product:2'], epoch);
    expect(await cache.purge(['Product:1'])).toBe(1);
    expect(await cache.lookup(keysFor('a'))).toBeUndefined();
    expect(await cache.lookup(keysFor('b'))).toEqual(answer);
  });

  it('drops an answer fetched before a purge of one of its entities, even if it is stored after', async () => {
    const cache = cacheWith(makeStores());
    const startedAt = (await cache.epoch())!;
    await cache.purge(['Product:1']);
    await cache.store(keysFor('stale'), answer, ['Product:1'], startedAt);
    expect(await cache.lookup(keysFor('stale'))).toBeUndefined();
    await cache.store(keysFor('fresh'), answer, ['Product:1'], (await cache.epoch())!);
    expect(await cache.lookup(keysFor('fresh'))).toEqual(answer);
  });

  it('decodes a repeated hit once, and a replaced or purged entry anew', async () => {
    const cache = cacheWith(makeStores());
    await cache.store(keysFor('a'), answer, ['Product:1'], (await cache.epoch())!);
    const first = await cache.lookup(keysFor('a'));
    const second = await cache.lookup(keysFor('a'));
    expect(second?.data).toBe(first?.data);
    const changed = { ...answer, data: { product: { name: 'Desk' } } };
    await cache.store(keysFor('a'), changed, ['Product:1'], (await cache.epoch())!);
    expect(await cache.lookup(keysFor('a'))).toEqual(changed);
    await cache.purge(['Product:1']);
    expect(await cache.lookup(keysFor('a'))).toBeUndefined();
  });

  it('keeps a private answer from anyone but its owner', async () => {
    const cache = cacheWith(makeStores());
    const mine = { shared: 'op', personal: 'op:u1' };
    await cache.store(mine, { ...answer, scope: 'PRIVATE' }, ['User:u1'], (await cache.epoch())!);
    expect(await cache.lookup(mine)).toMatchObject({ scope: 'PRIVATE' });
    expect(await cache.lookup({ shared: 'op', personal: 'op:u2' })).toBeUndefined();
    expect(await cache.lookup({ shared: 'op', personal: undefined })).toBeUndefined();
  });
});

describe('the decoded answers a process keeps for repeated hits', () => {
  const roomyStores = (): Stores => {
    const tags = new MemoryTagIndex();
    return {
      store: createKeyv('supergate-test', undefined, {
        maxEntries: 2 * DECODED_ENTRIES,
        maxBytes: 4 * DECODED_MAX_CHARACTERS,
        onRemove: (key) => tags.forget(key),
      }),
      tags,
    };
  };
  const keysFor = (name: string) => ({ shared: name, personal: undefined });

  it(`are at most ${DECODED_ENTRIES}: the least recently read is decoded anew`, async () => {
    const cache = new ResponseCache({
      ...roomyStores(),
      onError: (error) => {
        throw error;
      },
    });
    const epoch = (await cache.epoch())!;
    const answer = (i: number) => ({ data: { product: { name: `Lamp ${i}` } }, storedAt: Date.now(), maxAge: 60, scope: 'PUBLIC' as const });
    const first: unknown[] = [];
    for (let i = 0; i <= DECODED_ENTRIES; i += 1) {
      await cache.store(keysFor(`op${i}`), answer(i), [`Product:${i}`], epoch);
      first.push((await cache.lookup(keysFor(`op${i}`)))?.data);
    }
    const again = await cache.lookup(keysFor('op0'));
    expect(again?.data).toEqual(first[0]);
    expect(again?.data).not.toBe(first[0]);
    expect((await cache.lookup(keysFor(`op${DECODED_ENTRIES}`)))?.data).toBe(first[DECODED_ENTRIES]);
  });

  it(`hold at most ${DECODED_MAX_CHARACTERS} characters of stored text: a bigger answer is decoded on every hit`, async () => {
    const cache = new ResponseCache({
      ...roomyStores(),
      onError: (error) => {
        throw error;
      },
    });
    const big = { data: { blob: 'x'.repeat(DECODED_MAX_CHARACTERS) }, storedAt: Date.now(), maxAge: 60, scope: 'PUBLIC' as const };
    await cache.store(keysFor('big'), big, ['Blob:1'], (await cache.epoch())!);
    const first = await cache.lookup(keysFor('big'));
    const second = await cache.lookup(keysFor('big'));
    expect(second?.data).toEqual(first?.data);
    expect(second?.data).not.toBe(first?.data);
  });
});

describe('the in-memory store', () => {
  it('keeps what Keyv stores with a time to live, and lets it expire', async () => {
    const { store } = memoryStores();
    await store.set('answer', 'cached', 60_000);
    await store.set('brief', 'gone soon', 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await store.get('answer')).toBe('cached');
    expect(await store.get('brief')).toBeUndefined();
  });

  it('keeps its tag index no larger than what it holds, pruning what it evicts', async () => {
    const stores = memoryStores(10);
    const cache = new ResponseCache({
      ...stores,
      onError: (error) => {
        throw error;
      },
    });
    const epoch = (await cache.epoch())!;
    const answer = { data: { product: { name: 'Lamp' } }, storedAt: Date.now(), maxAge: 60, scope: 'PUBLIC' as const };
    for (let i = 0; i < 500; i += 1) await cache.store({ shared: `op${i}`, personal: undefined }, answer, [`Product:${i}`, 'Category:kitchen'], epoch);
    expect(stores.tags.size).toEqual({ keys: 10, tags: 11 });
    expect(await cache.purge(['Category:kitchen'])).toBe(10);
    expect(stores.tags.size).toEqual({ keys: 0, tags: 0 });
  });

  it('refuses to cache an answer holding more entities than it can index', async () => {
    const cache = new ResponseCache({
      ...memoryStores(),
      onError: (error) => {
        throw error;
      },
    });
    const answer = { data: {}, storedAt: Date.now(), maxAge: 60, scope: 'PUBLIC' as const };
    const tags = Array.from({ length: MAX_TAGS_PER_ANSWER + 1 }, (_, i) => `Product:${i}`);
    expect(await cache.store({ shared: 'huge', personal: undefined }, answer, tags, (await cache.epoch())!)).toBe(false);
    expect(await cache.lookup({ shared: 'huge', personal: undefined })).toBeUndefined();
  });
});
