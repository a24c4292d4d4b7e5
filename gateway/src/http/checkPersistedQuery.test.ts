import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkPersistedQuery } from './checkPersistedQuery.js';

const query = '{ product(upc: "1") { name } }';
const hash = createHash('sha256').update(query).digest('hex');
const none = new URLSearchParams();
const refusal = (code: string) => expect.objectContaining({ status: 400, code });

describe('automatic persisted queries at the edge', () => {
  it('lets a matching hash, a hash alone and a plain query through to Apollo', () => {
    expect(() => checkPersistedQuery({ query, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }, none)).not.toThrow();
    expect(() => checkPersistedQuery({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }, none)).not.toThrow();
    expect(() => checkPersistedQuery({ query }, none)).not.toThrow();
  });

  it('refuses a hash that is not the query’s with PERSISTED_QUERY_HASH_MISMATCH', () => {
    expect(() => checkPersistedQuery({ query, extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }, none)).toThrow(
      refusal('PERSISTED_QUERY_HASH_MISMATCH'),
    );
  });

  it('refuses another version with PERSISTED_QUERY_NOT_SUPPORTED, over POST and over GET', () => {
    expect(() => checkPersistedQuery({ query, extensions: { persistedQuery: { version: 2, sha256Hash: hash } } }, none)).toThrow(
      refusal('PERSISTED_QUERY_NOT_SUPPORTED'),
    );
    const get = new URLSearchParams({ extensions: JSON.stringify({ persistedQuery: { version: 2, sha256Hash: hash } }) });
    expect(() => checkPersistedQuery(undefined, get)).toThrow(refusal('PERSISTED_QUERY_NOT_SUPPORTED'));
  });
});
