import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from './database.js';

/**
 * Applies the `NNN_name.sql` files in `migrationsDir` that have not run yet,
 * then the idempotent `seed.sql` beside them if present. A transaction-scoped
 * advisory lock keeps replicas starting together from applying a file twice.
 */
export async function migrate(db: Database, migrationsDir: string): Promise<string[]> {
  const files = (await readdir(migrationsDir)).filter((file) => /^\d+_.+\.sql$/.test(file)).sort();
  const applied = await db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.schema_migrations'))");
    await tx.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const done = new Set((await tx.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((row) => row.name));
    const pending = files.filter((file) => !done.has(file));
    for (const file of pending) {
      await tx.exec(await readFile(join(migrationsDir, file), 'utf8'));
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
    }
    return pending;
  });
  const seed = await readFile(join(migrationsDir, 'seed.sql'), 'utf8').catch(() => undefined);
  if (seed !== undefined) await db.transaction((tx) => tx.exec(seed));
  return applied;
}
