import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import { initdbSnapshotAt } from './database.js';

describe('the initdb snapshot embedded databases start from', () => {
  const folder = mkdtempSync(join(tmpdir(), 'supergate-initdb-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  const startsFrom = async (tarball: Uint8Array): Promise<unknown> => {
    const db = await PGlite.create({ loadDataDir: new Blob([tarball], { type: 'application/x-tar' }) });
    try {
      return (await db.query<{ answer: number }>('SELECT 41 + 1 AS answer')).rows[0]?.answer;
    } finally {
      await db.close();
    }
  };

  it('is written once, and read back as the same tarball', async () => {
    const path = join(folder, 'fresh', 'initdb.tar.gz');
    const written = await initdbSnapshotAt(path);
    expect(Buffer.from(gunzipSync(readFileSync(path))).equals(Buffer.from(written))).toBe(true);
    const read = await initdbSnapshotAt(path);
    expect(Buffer.from(read).equals(Buffer.from(written))).toBe(true);
    expect(await startsFrom(read)).toBe(42);
  }, 60_000);

  it.each([
    ['not gzip at all', (valid: Buffer) => Buffer.concat([Buffer.from('not a tarball'), valid])],
    ['cut short, as by a writer that died', (valid: Buffer) => valid.subarray(0, Math.floor(valid.length / 2))],
  ])(
    'is replaced when the stored file is %s',
    async (_, spoil) => {
      const fresh = join(folder, 'fresh', 'initdb.tar.gz');
      const path = join(folder, 'spoiled', 'initdb.tar.gz');
      await initdbSnapshotAt(fresh);
      mkdirSync(join(folder, 'spoiled'), { recursive: true });
      writeFileSync(path, spoil(readFileSync(fresh)));
      const tarball = await initdbSnapshotAt(path);
      expect(Buffer.from(gunzipSync(readFileSync(path))).equals(Buffer.from(tarball))).toBe(true);
      expect(tarball.length).toBeGreaterThan(1024 * 1024);
    },
    60_000,
  );
});
